/**
 * H264 speakers go to Matroska (stream copy, no transcode); the optional MP4 (H.264/AAC,
 * faststart) keeps the session clock. Checked with ffprobe and event detection.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hasCuesAtFront } from '../../src/pipeline/media-check';
import { MediaPipeline } from '../../src/pipeline/media-pipeline';
import { StorageManifestRepository } from '../../src/manifest/manifest-repository';
import { FsStorageDriver } from '../../src/storage/fs-storage.driver';
import { FFMPEG, FFPROBE, beepTimeS, flashTimeS, makeRecording, probeFile } from './pipeline-fixtures';

jest.setTimeout(120_000);

const REC = 'rec-h264-1';
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('H264 speaker -> MKV, and MP4 output', () => {
  let dir: string;
  let storage: FsStorageDriver;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'recbot-h264-'));
    storage = new FsStorageDriver(path.join(dir, 'storage'));
    // joins at 1 s; camera drops out from 5 s to 8 s (held frame), audio continuous
    const m = await makeRecording({
      recordingId: REC, dir: path.join(dir, 'spool'), sessionStartMs: T0, sessionS: 12, eventS: 9,
      speakers: [{
        participantId: 'dave', videoCodec: 'h264', audioDelayMs: 5, videoDelayMs: 9,
        audio: [{ startS: 1, durS: 5 }, { startS: 6, durS: 6 }],
        video: [{ startS: 1, durS: 4 }, { startS: 8, durS: 4 }],
      }],
    });
    await new StorageManifestRepository(storage).save(m);
  });

  afterAll(async () => {
    await storage?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes speakers/dave.mkv (h264 copy + opus) and speakers/dave.mp4 on the session clock', async () => {
    const pipeline = new MediaPipeline({
      storage, manifests: new StorageManifestRepository(storage), ffmpegPath: FFMPEG, ffprobePath: FFPROBE, workDir: path.join(dir, 'work'), mp4: true,
    });
    const { outputs } = await pipeline.muxSpeaker(REC, 'dave');
    expect(outputs.map((o) => [o.kind, o.key])).toEqual([
      ['speaker', `recordings/${REC}/speakers/dave.mkv`],
      ['speaker-mp4', `recordings/${REC}/speakers/dave.mp4`],
    ]);
    const mkv = path.join(dir, 'dave.mkv');
    const mp4 = path.join(dir, 'dave.mp4');
    await storage.downloadFile(outputs[0]!.key, mkv);
    await storage.downloadFile(outputs[1]!.key, mp4);

    const pm = await probeFile(mkv);
    expect(pm.streams.sort()).toEqual(['audio:opus', 'video:h264']);
    expect(Math.abs(pm.durationS - 12)).toBeLessThanOrEqual(0.1);
    expect(await hasCuesAtFront(mkv)).toBe(true);
    expect(Math.abs((await beepTimeS(mkv)) - 9)).toBeLessThanOrEqual(0.04);
    expect(Math.abs((await flashTimeS(mkv)) - 9)).toBeLessThanOrEqual(0.04);

    const p4 = await probeFile(mp4);
    expect(p4.streams.sort()).toEqual(['audio:aac', 'video:h264']);
    expect(Math.abs(p4.durationS - 12)).toBeLessThanOrEqual(0.25);
    const bytes = readFileSync(mp4);
    expect(bytes.indexOf('moov')).toBeLessThan(bytes.indexOf('mdat')); // faststart
    expect(Math.abs((await beepTimeS(mp4)) - 9)).toBeLessThanOrEqual(0.05);
    expect(Math.abs((await flashTimeS(mp4)) - 9)).toBeLessThanOrEqual(0.05);
  });
});
