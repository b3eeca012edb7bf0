import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AV1Obu, AV1RtpPayload, H264RtpPayload, splitAv1Obus, Vp8RtpPayload, Vp9RtpPayload } from 'werift';
import { readH264AccessUnits, splitAnnexB } from './annexb-reader';
import { readIvf } from './ivf-reader';
import { av1HasSequenceHeader, av1LoopSource, h264LoopSource, isVp9Keyframe, vp8LoopSource, vp9LoopSource } from './loop-sources';
import { ensureRecTile, TILE_FPS } from './media-cache';
import type { LoopSource } from './paced-rtp-sender';
import { MAX_RTP_PAYLOAD_BYTES, packetizeAv1, packetizeH264SingleNal, packetizeVp9 } from './rtp-packetizer';

jest.setTimeout(60_000);
const run = promisify(execFile);

/** Decode a raw stream with ffmpeg; returns the number of frames and the error output. */
async function decode(file: string, format: string): Promise<{ frames: number; errors: string }> {
  const { stdout, stderr } = await run('ffprobe', ['-v', 'error', '-f', format, '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames,codec_name,profile', '-of', 'json', file]);
  const s = (JSON.parse(stdout) as { streams: { nb_read_frames: string }[] }).streams[0];
  return { frames: Number(s?.nb_read_frames ?? 0), errors: stderr.trim() };
}

function checkLoop(src: LoopSource): void {
  expect(src.units).toHaveLength(4 * TILE_FPS);
  // A key frame every second, the loop starts on one (so the wrap-around is decodable).
  expect(src.units.filter((u) => u.keyframe)).toHaveLength(4);
  expect(src.units[0]?.keyframe).toBe(true);
  expect(src.units.every((u) => u.durationTicks === 90_000 / TILE_FPS)).toBe(true);
  if (!src.packetize) for (const u of src.units) for (const p of u.payloads) expect(p.length).toBeLessThanOrEqual(MAX_RTP_PAYLOAD_BYTES);
}

describe('the REC tile in every codec, packetized and depacketized by werift', () => {
  const dir = mkdtempSync(join(tmpdir(), 'recbot-tiles-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('VP8: 320x180 IVF, key frame every second', async () => {
    const src = vp8LoopSource(await ensureRecTile(dir, 'VP8'));
    checkLoop(src);
    expect(await decode(await ensureRecTile(dir, 'VP8'), 'ivf')).toEqual({ frames: 4 * TILE_FPS, errors: '' });
    const pkt = src.packetize!(src.units[0]!, 7);
    expect(Vp8RtpPayload.deSerialize(pkt[0]!).pictureId).toBe(7);
  });

  it('VP9: profile 0, key frames found in the uncompressed header; round trip through werift restores each frame', async () => {
    const file = await ensureRecTile(dir, 'VP9');
    const ivf = readIvf(readFileSync(file));
    expect([ivf.fourcc, ivf.width, ivf.height]).toEqual(['VP90', 320, 180]);
    checkLoop(vp9LoopSource(file));
    expect(await decode(file, 'ivf')).toEqual({ frames: 4 * TILE_FPS, errors: '' });
    for (const f of ivf.frames) {
      const key = isVp9Keyframe(f.data);
      const parts = packetizeVp9(f.data, key, 200).map((p) => Vp9RtpPayload.deSerialize(p));
      expect(parts[0]!.bBit).toBe(1);
      expect(parts.at(-1)!.eBit).toBe(1);
      expect(parts[0]!.isKeyframe).toBe(key);
      expect(Buffer.concat(parts.map((p) => p.payload)).equals(f.data)).toBe(true);
    }
  });

  it('AV1: sequence header on key frames; round trip through werift restores every OBU; the tile decodes', async () => {
    const file = await ensureRecTile(dir, 'AV1');
    const ivf = readIvf(readFileSync(file));
    checkLoop(av1LoopSource(file));
    const obus = (tu: Buffer): string[] =>
      splitAv1Obus(tu).map((o) => AV1Obu.deSerialize(o)).filter((o) => String(o.obu_type) !== 'OBU_TEMPORAL_DELIMITER').map((o) => `${o.obu_type}:${o.payload.toString('hex')}`);
    for (const f of ivf.frames) {
      const key = av1HasSequenceHeader(f.data);
      const parts = packetizeAv1(f.data, key, 200).map((p) => AV1RtpPayload.deSerialize(p)); // small packets: OBU fragments
      expect(parts[0]!.nBit_RtpStartsNewCodedVideoSequence).toBe(key ? 1 : 0);
      expect(obus(AV1RtpPayload.getFrame(parts))).toEqual(obus(f.data));
    }
    expect(await decode(file, 'ivf')).toEqual({ frames: 4 * TILE_FPS, errors: '' });
  });

  it('H264: constrained baseline, every NAL in one packet; round trip through werift decodes every frame', async () => {
    const file = await ensureRecTile(dir, 'H264');
    const src = h264LoopSource(file, TILE_FPS);
    checkLoop(src);
    const aus = readH264AccessUnits(readFileSync(file));
    const sps = aus[0]!.nals.find((n) => (n[0]! & 0x1f) === 7)!;
    expect(sps.subarray(1, 4).toString('hex')).toMatch(/^42[ce]0/); // profile_idc 66 + constraint_set1: constrained baseline
    for (const au of aus.filter((a) => a.keyframe)) expect(au.nals.map((n) => n[0]! & 0x1f)).toEqual(expect.arrayContaining([7, 8, 5]));
    const annexB: Buffer[] = [];
    for (const u of src.units) for (const p of u.payloads) annexB.push(H264RtpPayload.deSerialize(p).payload);
    expect(src.units.flatMap((u) => u.payloads).every((p) => (p[0]! & 0x1f) < 24)).toBe(true); // no STAP-A/FU-A
    const h264 = join(dir, 'roundtrip.h264');
    writeFileSync(h264, Buffer.concat(annexB));
    expect(splitAnnexB(Buffer.concat(annexB))).toHaveLength(src.units.reduce((n, u) => n + u.payloads.length, 0));
    expect(await decode(h264, 'h264')).toEqual({ frames: 4 * TILE_FPS, errors: '' });
    expect(() => packetizeH264SingleNal([Buffer.alloc(2000)])).toThrow(/single NAL/);
  });
});
