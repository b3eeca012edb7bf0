/**
 * A corrupt or truncated segment: repaired when possible, otherwise left out and reported as a
 * `corrupt` gap; the speaker file is still published with the session's length (real ffmpeg).
 */
import { mkdtempSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RecordingManifest } from '../../src/manifest/manifest.types';
import { MediaPipeline } from '../../src/pipeline/media-pipeline';
import { Publisher } from '../../src/pipeline/publisher';
import { StorageManifestRepository } from '../../src/manifest/manifest-repository';
import { FsStorageDriver } from '../../src/storage/fs-storage.driver';
import { FFMPEG, FFPROBE, intervals, makeRecording, probeFile } from './pipeline-fixtures';

jest.setTimeout(120_000);

const REC = 'rec-corrupt-1';
const T0 = Date.UTC(2026, 0, 1, 11, 0, 0);

describe('pipeline with damaged segments', () => {
  let dir: string;
  let storage: FsStorageDriver;
  let manifest: RecordingManifest;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'recbot-corrupt-'));
    storage = new FsStorageDriver(path.join(dir, 'storage'));
    manifest = await makeRecording({
      recordingId: REC, dir: path.join(dir, 'spool'), sessionStartMs: T0, sessionS: 24, eventS: 12,
      speakers: [{ participantId: 'dana', audio: intervals(0, 24, 6), video: intervals(0, 24, 6), audioDelayMs: 4, videoDelayMs: 9, writer: 'recorder' }],
    });
  });
  afterAll(async () => {
    await storage?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('repairs a truncated segment, leaves out an unreadable one as a corrupt gap, and still publishes the speaker', async () => {
    const audio = manifest.segments.filter((s) => s.trackKey === 'audio').sort((a, b) => a.seq - b.seq);
    const truncated = audio[1]!.localPath!;
    truncateSync(truncated, Math.floor(statSync(truncated).size * 0.6));
    const garbage = audio[2]!.localPath!;
    writeFileSync(garbage, Buffer.alloc(4096, 0x5a));

    const manifests = new StorageManifestRepository(storage);
    await manifests.save(manifest);
    const pipeline = new MediaPipeline({ storage, manifests, ffmpegPath: FFMPEG, ffprobePath: FFPROBE, workDir: path.join(dir, 'work') });
    const { outputs: [out], gaps } = await pipeline.muxSpeaker(REC, 'dana');
    const file = path.join(dir, 'storage', out!.key);
    const p = await probeFile(file);
    expect(p.streams).toEqual(['audio:opus', 'video:vp8']);
    expect(Math.abs(p.durationS - 24)).toBeLessThan(0.15);

    // The mux job returns what it found; Publish merges every job's findings into the manifest.
    expect(gaps.filter((g) => g.reason === 'corrupt')).toHaveLength(1);
    await manifests.saveFindings(REC, 'mux-dana', { gaps });
    await new Publisher({ storage, manifests }).publish(REC);
    const after = await manifests.load(REC);
    const corrupt = after.gaps.filter((g) => g.reason === 'corrupt');
    expect(corrupt).toHaveLength(1);
    expect(corrupt[0]).toMatchObject({ participantId: 'dana', trackKey: 'audio' });
    expect(corrupt[0]!.startMs - T0).toBeGreaterThan(11_000);
    expect(corrupt[0]!.startMs - T0).toBeLessThan(13_000);
  });
});
