/**
 * ENOSPC: record onto a tiny tmpfs until it is full. Nothing may throw on the media path, every
 * segment the manifest lists must decode cleanly, the manifest must stay valid JSON and no temp
 * files may be left. Needs root (mount); skipped otherwise.
 */
import { execFileSync } from 'child_process';
import { promises as fsp } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ManifestStore } from '../../src/manifest/manifest-store';
import { RecordingSession } from '../../src/recorder/recording-session';
import { DiskGuard } from '../../src/recorder/disk-guard';
import { captureRtp } from '../../src/recorder/testing/rtp-capture';
import { checkSegment } from '../../src/recorder/testing/media-check';
import { feed } from '../../src/recorder/testing/rtp-mangle';

jest.setTimeout(60_000);

let mnt: string;
let mounted = false;
beforeAll(async () => {
  mnt = await fsp.mkdtemp(path.join(os.tmpdir(), 'recbot-enospc-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=400k', 'tmpfs', mnt], { stdio: 'ignore' });
    mounted = true;
  } catch {
    mounted = false;
  }
});
afterAll(async () => {
  if (mounted) execFileSync('umount', [mnt]);
  await fsp.rm(mnt, { recursive: true, force: true });
});

it('survives ENOSPC without corrupting closed segments or the manifest', async () => {
  if (!mounted) return console.warn('tmpfs mount not permitted: ENOSPC test skipped');
  const packets = await captureRtp('vp8', 8, 'ffmpeg', { kbps: 600 });
  let now = 1_700_000_000_000;
  const guard = new DiskGuard(mnt, 0.05);
  await guard.check();
  expect(guard.isFull()).toBe(false);
  const session = await RecordingSession.open({ recordingId: 'rec-full', roomId: 'r', spoolDir: mnt, part: 1, botId: 'b', segmentSeconds: 2,
    jitterBufferMs: 300, journalFsyncMs: 50, uploadQueueMax: 8, stallMs: 60_000, onSegmentClosed: () => undefined, now: () => now, diskGuard: guard });
  const sink = session.createTrackSink({ participantId: 'p', displayName: 'P', kind: 'video', trackId: 'v', mimeType: 'video/VP8', clockRate: 90000, payloadType: 96, ssrc: 1 },
    { requestKeyframe: () => undefined });
  // Feed a second at a time so journals flush and segments are written while space runs out.
  for (let s = 0; s < 8; s++) {
    const chunk = packets.filter((p) => {
      const t = ((p.header.timestamp - (packets[0]?.header.timestamp ?? 0)) >>> 0) / 90000;
      return t >= s && t < s + 1;
    });
    expect(() => feed(sink, chunk, 90000, 1_700_000_000_000 + s * 1000, (ms) => (now = ms))).not.toThrow();
    await new Promise((r) => setTimeout(r, 120));
  }
  await session.close();
  await guard.check();
  expect(guard.freeMb).toBeLessThan(0.3); // the 400 KiB file system did fill up
  const st = session.stats().tracks['p/video']!;
  expect(st.writeErrors + st.journalErrors).toBeGreaterThan(0);
  const m = await ManifestStore.read(path.join(mnt, 'rec-full', 'manifest.json'));
  expect(m?.recordingId).toBe('rec-full');
  for (const s of m?.segments ?? []) {
    const r = await checkSegment(s.localPath as string);
    expect(r.decodeErrors).toBe('');
    expect(r.packets).toBe(s.frames);
  }
  const all = await fsp.readdir(path.join(mnt, 'rec-full', 'p', 'video'));
  expect(all.filter((f) => f.endsWith('.tmp'))).toEqual([]);
  guard.close();
});
