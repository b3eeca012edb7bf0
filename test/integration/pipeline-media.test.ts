/**
 * Mux/mix/publish on real media: 3 speakers with different join times, one with a 20 s mute gap,
 * a beep + flash at session time 30 s in every input. Checked with ffprobe/ffmpeg analysis.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { RecordingManifest } from '../../src/manifest/manifest.types';
import { hasCuesAtFront } from '../../src/pipeline/media-check';
import { MediaPipeline } from '../../src/pipeline/media-pipeline';
import { StorageManifestRepository } from '../../src/manifest/manifest-repository';
import { Publisher } from '../../src/pipeline/publisher';
import { RETENTION_TAG, STAGE_TAG } from '../../src/storage/lifecycle-rules';
import { SegmentUploader } from '../../src/recorder-role/upload-lane';
import { FsStorageDriver } from '../../src/storage/fs-storage.driver';
import type { StorageDriver } from '../../src/storage/storage.types';
import { FFMPEG, FFPROBE, beepTimeS, flashTimeS, intervals, makeRecording, probeFile, silences } from './pipeline-fixtures';

jest.setTimeout(150_000);

const REC = 'rec-media-1';
const T0 = Date.UTC(2026, 0, 1, 10, 0, 0);
const SESSION_S = 36;
const EVENT_S = 30;

describe('pipeline on real media', () => {
  let dir: string;
  let storage: FsStorageDriver;
  let manifest: RecordingManifest;
  let pipeline: MediaPipeline;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'recbot-pipeline-'));
    storage = new FsStorageDriver(path.join(dir, 'storage'));
    manifest = await makeRecording({
      recordingId: REC, dir: path.join(dir, 'spool'), sessionStartMs: T0, sessionS: SESSION_S, eventS: EVENT_S,
      speakers: [
        { participantId: 'alice', audio: intervals(0, 36, 6), video: intervals(0, 36, 6), audioDelayMs: 3, videoDelayMs: 14 },
        { participantId: 'bob', audio: intervals(9, 36, 6), video: intervals(9, 36, 6), audioDelayMs: 12, videoDelayMs: 5, writer: 'recorder' },
        // carol joins at 2 s and is muted from 8 s to 28 s (no audio segments), camera stays on
        { participantId: 'carol', audio: [...intervals(2, 8, 6), ...intervals(28, 36, 6)], video: intervals(2, 36, 6), audioDelayMs: 8, videoDelayMs: 20, writer: 'recorder' },
      ],
    });
    pipeline = new MediaPipeline({
      storage, manifests: new StorageManifestRepository(storage), ffmpegPath: FFMPEG, ffprobePath: FFPROBE, workDir: path.join(dir, 'work'),
    });
  });

  afterAll(async () => {
    await storage?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('uploads bob and carol segments with verification, retrying a failed put, then deletes local files', async () => {
    let failures = 1;
    const flaky: StorageDriver = Object.assign(Object.create(storage) as FsStorageDriver, {
      putFile: (key: string, local: string, o?: Parameters<StorageDriver['putFile']>[2]) => {
        if (failures-- > 0) return Promise.reject(new Error('injected network failure'));
        return storage.putFile(key, local, o);
      },
    });
    const uploader = new SegmentUploader({
      storage: flaky, concurrency: 2, queueMax: 100, retryBaseMs: 50, retryMaxMs: 200,
      recordUpload: async (_rec, seg, r) => {
        const s = manifest.segments.find((x) => x.participantId === seg.participantId && x.trackKey === seg.trackKey && x.seq === seg.seq);
        if (s) Object.assign(s, r);
      },
    });
    const toUpload = manifest.segments.filter((s) => s.participantId !== 'alice');
    // bob's and carol's segments come from the recorder's own segment muxer, alice's from ffmpeg
    expect(readFileSync(toUpload[0]!.localPath!).includes('Lavf')).toBe(false);
    expect(readFileSync(manifest.segments.find((s) => s.participantId === 'alice')!.localPath!).includes('Lavf')).toBe(true);
    for (const s of toUpload) uploader.enqueue(REC, s as typeof s & { localPath: string });
    expect(uploader.getStats().queued + uploader.getStats().inFlight).toBe(toUpload.length);
    expect(await uploader.drain(30_000)).toBe(true);
    const stats = uploader.getStats();
    await uploader.close();
    expect(stats).toMatchObject({ uploaded: toUpload.length, failedAttempts: 1, queued: 0, oldestPendingAgeMs: 0 });
    for (const s of toUpload) {
      expect(s.key).toBe(`recordings/${REC}/segments/${s.participantId}/${s.trackKey}/${String(s.seq).padStart(6, '0')}.webm`);
      expect(existsSync(s.localPath!)).toBe(false);
      const head = await storage.head(s.key!);
      expect(head).toMatchObject({ size: s.size, md5: s.md5 });
      expect(head?.tags?.[STAGE_TAG]).toBe('segment');
    }
    await new StorageManifestRepository(storage).save({ ...manifest, options: { retentionDays: 400 } });
  });

  it('muxes each speaker on the session clock: duration, event time, A/V offset, seekable', async () => {
    const eventTimes: Record<string, { beep: number; flash: number }> = {};
    for (const pid of ['alice', 'bob', 'carol']) {
      const { outputs: [out] } = await pipeline.muxSpeaker(REC, pid);
      expect(out).toMatchObject({ kind: 'speaker', key: `recordings/${REC}/speakers/${pid}.webm`, format: 'webm' });
      const file = path.join(dir, `${pid}.webm`);
      await storage.downloadFile(out!.key, file);
      const p = await probeFile(file);
      expect(p.streams).toEqual(expect.arrayContaining(['audio:opus', 'video:vp8']));
      expect(Math.abs(p.durationS - SESSION_S)).toBeLessThanOrEqual(0.1);
      expect(await hasCuesAtFront(file)).toBe(true);
      const beep = await beepTimeS(file);
      const flash = await flashTimeS(file);
      eventTimes[pid] = { beep, flash };
      if (process.env.PIPELINE_DEBUG) process.stdout.write(`${pid} dur=${p.durationS} beep=${beep} flash=${flash}\n`);
      expect(Math.abs(beep - EVENT_S)).toBeLessThanOrEqual(0.04);
      expect(Math.abs(flash - EVENT_S)).toBeLessThanOrEqual(0.04);
      expect(Math.abs(beep - flash)).toBeLessThanOrEqual(0.04);
    }
    const beeps = Object.values(eventTimes).map((e) => e.beep);
    expect(Math.max(...beeps) - Math.min(...beeps)).toBeLessThanOrEqual(0.04);

    // carol: silence before her join (0-2 s) and through her 20 s mute (8-28 s), at wall-clock length
    const carol = path.join(dir, 'carol.webm');
    const quiet = (await silences(carol, { noiseDb: -45, minS: 1 })).filter(([s, e]) => e - s > 1.5);
    expect(quiet).toHaveLength(2);
    expect(quiet[0]![1]).toBeCloseTo(2, 1);
    expect(quiet[1]![0]).toBeCloseTo(8, 1);
    expect(quiet[1]![1]).toBeCloseTo(28, 1);
    // bob joined at 9 s: silent until then
    const bobQuiet = await silences(path.join(dir, 'bob.webm'), { noiseDb: -45, minS: 1 });
    expect(bobQuiet[0]![0]).toBeLessThan(0.05);
    expect(bobQuiet[0]![1]).toBeCloseTo(9, 1);
  });

  it('mixes all speakers into mix.webm with the beep at the same session time', async () => {
    const out = await pipeline.mixAudio(REC);
    expect(out?.key).toBe(`recordings/${REC}/mix.webm`);
    const file = path.join(dir, 'mix.webm');
    await storage.downloadFile(out!.key, file);
    const p = await probeFile(file);
    expect(p.streams).toEqual(['audio:opus']);
    expect(Math.abs(p.durationS - SESSION_S)).toBeLessThanOrEqual(0.1);
    expect(await hasCuesAtFront(file)).toBe(true);
    expect(Math.abs((await beepTimeS(file)) - EVENT_S)).toBeLessThanOrEqual(0.04);
  });

  it('publishes: outputs and status in manifest.json, staging tagged for expiry; a rerun writes nothing new', async () => {
    const publisher = new Publisher({ storage, manifests: new StorageManifestRepository(storage) });
    const m = await publisher.publish(REC);
    expect(m.status).toBe('completed');
    expect(m.outputs.map((o) => o.key).sort()).toEqual(
      [`recordings/${REC}/mix.webm`, ...['alice', 'bob', 'carol'].map((p) => `recordings/${REC}/speakers/${p}.webm`)].sort(),
    );
    for (const o of m.outputs) {
      expect(o.md5).toMatch(/^[0-9a-f]{32}$/);
      expect(Math.abs((o.durationMs ?? 0) - SESSION_S * 1000)).toBeLessThanOrEqual(100);
      expect((await storage.head(o.key))?.tags).toMatchObject({ [STAGE_TAG]: 'output', [RETENTION_TAG]: '400' });
    }
    const staged = m.segments.filter((s) => s.key);
    expect(staged.length).toBeGreaterThan(0);
    for (const s of staged) expect((await storage.head(s.key!))?.tags).toMatchObject({ [STAGE_TAG]: 'staging', [RETENTION_TAG]: '400' });
    expect((await storage.head(`recordings/${REC}/manifest.json`))?.tags?.[RETENTION_TAG]).toBe('400');

    const before = await storage.list(`recordings/${REC}/`);
    const { outputs: again } = await pipeline.muxSpeaker(REC, 'alice');
    const after = await storage.list(`recordings/${REC}/`);
    expect(after.map((o) => `${o.key}:${o.md5}`).sort()).toEqual(before.map((o) => `${o.key}:${o.md5}`).sort());
    expect(again[0]?.md5).toBe(m.outputs.find((o) => o.participantId === 'alice')?.md5);
    const m2 = await publisher.publish(REC);
    expect(m2.outputs).toHaveLength(4);
    expect(m2.statusHistory.filter((s) => s.status === 'completed')).toHaveLength(1);
  });

  it('MIX_VIDEO=grid: mix.webm also has every camera in a grid, black before a join, the flash at the same session time', async () => {
    const grid = new MediaPipeline({
      storage, manifests: new StorageManifestRepository(storage), ffmpegPath: FFMPEG, ffprobePath: FFPROBE, workDir: path.join(dir, 'work-grid'),
      mixVideo: { fps: 10, tileWidth: 320, tileHeight: 180, bitrateKbps: 600 },
    });
    await storage.delete(`recordings/${REC}/mix.webm`); // the audio-only mix of the test above
    const out = await grid.mixAudio(REC);
    const file = path.join(dir, 'mix-grid.webm');
    await storage.downloadFile(out!.key, file);
    const p = await probeFile(file);
    expect(p.streams).toEqual(['audio:opus', 'video:vp8']);
    expect(Math.abs(p.durationS - SESSION_S)).toBeLessThanOrEqual(0.15);
    expect(await hasCuesAtFront(file)).toBe(true);
    expect(Math.abs((await beepTimeS(file)) - EVENT_S)).toBeLessThanOrEqual(0.04);
    // 3 speakers in a 2x2 grid of 320x180 tiles: alice top left, bob top right (joins at 9 s), carol bottom left
    for (const [x, y] of [[0, 0], [320, 0], [0, 180]] as const) {
      expect(Math.abs((await flashInTileS(file, `320:180:${x}:${y}`, EVENT_S - 5)) - EVENT_S)).toBeLessThanOrEqual(0.1 + 0.04); // one frame at 10 fps
    }
    const tile = (x: number, y: number, t: number) => lumaAt(file, t, `320:180:${x}:${y}`);
    expect(await tile(320, 0, 4)).toBeLessThan(20); // bob not there yet: black
    expect(await tile(320, 0, 20)).toBeGreaterThan(30); // bob's camera
    expect(await tile(0, 0, 4)).toBeGreaterThan(30); // alice from the start
    expect(await tile(320, 180, 20)).toBeLessThan(20); // the empty fourth tile
  });
});

/** Session time (s) of the first bright frame (mean luma > 150) inside `crop` (w:h:x:y), scanning from `fromS`. */
async function flashInTileS(file: string, crop: string, fromS: number): Promise<number> {
  const { stdout } = await promisify(execFile)(FFMPEG, ['-v', 'error', '-ss', String(fromS), '-t', '10', '-i', file, '-vf', `crop=${crop},signalstats,metadata=print:key=lavfi.signalstats.YAVG:file=-`, '-f', 'null', '-'], { maxBuffer: 16 * 1024 * 1024 });
  let pts = NaN;
  for (const line of stdout.split('\n')) {
    const f = /pts_time:(-?[\d.]+)/.exec(line);
    if (f) pts = Number(f[1]);
    const y = /YAVG=([\d.]+)/.exec(line);
    if (y && Number(y[1]) > 150) return fromS + pts;
  }
  throw new Error(`no flash in ${crop} of ${file}`);
}

/** Mean luma of the frame at `t` seconds inside `crop` (w:h:x:y). */
async function lumaAt(file: string, t: number, crop: string): Promise<number> {
  const { stdout } = await promisify(execFile)(FFMPEG, ['-v', 'error', '-ss', String(t), '-i', file, '-frames:v', '1', '-vf', `crop=${crop},signalstats,metadata=print:key=lavfi.signalstats.YAVG:file=-`, '-f', 'null', '-']);
  const m = /YAVG=([\d.]+)/.exec(stdout);
  if (!m) throw new Error(`no frame at ${t} s in ${file}`);
  return Number(m[1]);
}
