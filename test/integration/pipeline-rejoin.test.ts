/**
 * A bot crash and rejoin: part 1's last (recovered) segment overlaps part 2's first by 500 ms.
 * The overlap is cut (concat outpoint), so later media stays on the session clock.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MediaPipeline } from '../../src/pipeline/media-pipeline';
import { StorageManifestRepository } from '../../src/manifest/manifest-repository';
import { planSpeaker } from '../../src/pipeline/timeline';
import { FsStorageDriver } from '../../src/storage/fs-storage.driver';
import { FFMPEG, FFPROBE, beepTimeS, flashTimeS, makeRecording, probeFile } from './pipeline-fixtures';

jest.setTimeout(120_000);

const REC = 'rec-rejoin-1';
const T0 = Date.UTC(2026, 0, 1, 13, 0, 0);

test('overlapping segments of a rejoin are cut; the event after the rejoin stays at its session time', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'recbot-rejoin-'));
  const storage = new FsStorageDriver(path.join(dir, 'storage'));
  try {
    const ivs = [
      { startS: 0, durS: 6 }, { startS: 6, durS: 6 }, { startS: 12, durS: 3.5 }, // part 1, last one recovered from the journal
      { startS: 15, durS: 6, part: 2 }, { startS: 21, durS: 3, part: 2 },
    ];
    const m = await makeRecording({
      recordingId: REC, dir: path.join(dir, 'spool'), sessionStartMs: T0, sessionS: 24, eventS: 18,
      speakers: [{ participantId: 'erin', audio: ivs, video: ivs, audioDelayMs: 4, videoDelayMs: 10, writer: 'recorder' }],
    });
    const plan = planSpeaker(m, 'erin');
    expect(plan.audio?.placed[2]).toMatchObject({ slotMs: 3000, outpointMs: 3000 }); // part 2 starts 3 s into the 3.5 s segment
    await new StorageManifestRepository(storage).save(m);
    const pipeline = new MediaPipeline({ storage, manifests: new StorageManifestRepository(storage), ffmpegPath: FFMPEG, ffprobePath: FFPROBE, workDir: path.join(dir, 'work') });
    const { outputs: [out] } = await pipeline.muxSpeaker(REC, 'erin');
    const file = path.join(dir, 'erin.webm');
    await storage.downloadFile(out!.key, file);
    expect(Math.abs((await probeFile(file)).durationS - 24)).toBeLessThanOrEqual(0.1);
    expect(Math.abs((await beepTimeS(file)) - 18)).toBeLessThanOrEqual(0.04);
    expect(Math.abs((await flashTimeS(file)) - 18)).toBeLessThanOrEqual(0.04);
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
