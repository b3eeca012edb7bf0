import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RtpPacket } from 'werift';
import { opusLoopSource, vp8LoopSource } from './loop-sources';
import { ensurePatternVp8, ensureRecTileVp8, ensureSilentOpus, ensureSpeechOpus } from './media-cache';
import { opusPacketSamples } from './ogg-opus-reader';
import { PacedRtpSender } from './paced-rtp-sender';
import { packetizeVp8 } from './rtp-packetizer';

jest.setTimeout(60_000);

describe('pre-encoded media', () => {
  const dir = mkdtempSync(join(tmpdir(), 'recbot-media-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('makes speech Opus with 20 ms packets and caches it', async () => {
    const a = await ensureSpeechOpus(dir, ['Hello, this is a test of the recorder.']);
    const b = await ensureSpeechOpus(dir, ['Hello, this is a test of the recorder.']);
    expect(b).toBe(a);
    const src = opusLoopSource(a);
    expect(src.units.length).toBeGreaterThan(50);
    expect(src.units.every((u) => u.durationTicks === 960)).toBe(true);
  });

  it('makes silent Opus of the asked length', async () => {
    const src = opusLoopSource(await ensureSilentOpus(dir, 1));
    const seconds = src.units.reduce((s, u) => s + u.durationTicks, 0) / 48_000;
    expect(seconds).toBeGreaterThan(0.95);
    expect(seconds).toBeLessThan(1.1);
    const sixty = opusLoopSource(await ensureSilentOpus(dir, 1, 60));
    expect(sixty.units.every((u) => u.durationTicks === 2880)).toBe(true);
    expect(sixty.units.length).toBeLessThanOrEqual(17);
  });

  it('makes a VP8 pattern with keyframes every ~2 s and a REC tile', async () => {
    const src = vp8LoopSource(await ensurePatternVp8(dir, { seconds: 4, width: 320, height: 180 }));
    expect(src.units.length).toBe(120);
    expect(src.units.filter((u) => u.keyframe).length).toBe(2);
    expect(src.units[1]?.durationTicks).toBe(3000);
    const tile = vp8LoopSource(await ensureRecTileVp8(dir));
    expect(tile.units.length).toBe(20);
    expect(tile.units[0]?.keyframe).toBe(true);
  });
});

describe('packetizers', () => {
  it('splits a VP8 frame with S bit on the first packet and picture id in each', () => {
    const frame = Buffer.alloc(2500, 7);
    const parts = packetizeVp8(frame, 0x1234, 1100);
    expect(parts).toHaveLength(3);
    expect(parts[0]![0]).toBe(0x90);
    expect(parts[1]![0]).toBe(0x80);
    expect(((parts[2]![2]! & 0x7f) << 8) | parts[2]![3]!).toBe(0x1234);
    expect(parts.reduce((s, p) => s + p.length - 4, 0)).toBe(2500);
  });

  it('reads Opus TOC durations', () => {
    expect(opusPacketSamples(Buffer.from([0xfc]))).toBe(960); // CELT FB 20 ms, code 0
    expect(opusPacketSamples(Buffer.from([0x08 | 1]))).toBe(1920); // SILK 20 ms x2
  });
});

describe('PacedRtpSender', () => {
  it('keeps real-time pace without drift and stops on close', async () => {
    const units = Array.from({ length: 5 }, () => ({ payloads: [Buffer.from([1, 2, 3])], durationTicks: 960, keyframe: true }));
    const sender = new PacedRtpSender({ kind: 'audio', clockRate: 48_000, units });
    const got: RtpPacket[] = [];
    sender.addTarget({ writeRtp: (p) => void got.push(p as RtpPacket) });
    const t0 = performance.now();
    sender.start();
    await new Promise((r) => setTimeout(r, 1000));
    sender.close();
    // The timer may fire late on a loaded machine: compare with the time that really passed.
    const expected = (performance.now() - t0) / 20;
    const n = got.length;
    expect(n).toBeGreaterThanOrEqual(Math.floor(expected) - 2);
    expect(n).toBeLessThanOrEqual(Math.ceil(expected) + 2);
    const ts = got.map((p) => p.header.timestamp);
    expect(((ts.at(-1)! - ts[0]!) >>> 0) / 960).toBe(n - 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(got.length).toBe(n);
  });
});
