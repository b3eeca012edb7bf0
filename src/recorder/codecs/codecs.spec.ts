import { av1Depacketizer, leb128, readLeb128 } from './av1';
import { annexBToAvcc, avcDecoderConfig, h264Depacketizer } from './h264';
import { opusPacketSamples } from './opus';
import { vp8DescriptorSize, vp8Depacketizer, vp8Dimensions } from './vp8';
import { vp9DescriptorSize, vp9Depacketizer } from './vp9';

const b = (...x: number[]): Buffer => Buffer.from(x);

describe('VP8', () => {
  const keyBody = b(0x50, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00);
  it('parses descriptors with extended fields (15-bit PictureID, TL0PICIDX, TID)', () => {
    expect(vp8DescriptorSize(b(0x10, 0xaa))).toBe(1);
    expect(vp8DescriptorSize(b(0x90, 0xe0, 0x81, 0x23, 0x05, 0x40, 0xaa))).toBe(6);
    expect(vp8DescriptorSize(b(0x90, 0x80, 0x23, 0xaa))).toBe(3);
  });
  it('detects key frames and reads their size', () => {
    expect(vp8Depacketizer.isKeyframe(keyBody)).toBe(true);
    expect(vp8Depacketizer.isKeyframe(b(0x51, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0, 0, 0, 0))).toBe(false);
    expect(vp8Dimensions(keyBody)).toEqual({ width: 320, height: 240 });
  });
  it('frame start is S=1 with partition 0', () => {
    expect(vp8Depacketizer.isFrameStart(b(0x10))).toBe(true);
    expect(vp8Depacketizer.isFrameStart(b(0x11))).toBe(false);
    expect(vp8Depacketizer.isFrameStart(b(0x00))).toBe(false);
  });
});

describe('VP9', () => {
  it('parses flexible and non-flexible descriptors, with scalability structure', () => {
    expect(vp9DescriptorSize(b(0x88, 0x85, 0x12, 0xaa))).toBe(3); // I (15-bit) B
    expect(vp9DescriptorSize(b(0xa8, 0x05, 0x00, 0x07, 0xaa))).toBe(4); // I L (non-flex: +TL0PICIDX) B
    expect(vp9DescriptorSize(b(0xda, 0x05, 0x03, 0x04, 0x18, 0x01, 0x40, 0x00, 0xf0, 0x01, 0x04, 0x01, 0xaa))).toBe(12); // I P F B V, 2 P_DIFF... SS Y G
  });
  it('detects key frames from the uncompressed header (profile 0 and show_existing_frame)', () => {
    expect(vp9Depacketizer.isKeyframe(b(0x82, 0x49, 0x83))).toBe(true); // 10 0 0 0 0 1 0: key
    expect(vp9Depacketizer.isKeyframe(b(0x86))).toBe(false); // frame_type 1
    expect(vp9Depacketizer.isKeyframe(b(0x88))).toBe(false); // show_existing_frame
  });
  it('builds a superframe from two spatial layers', () => {
    const f = vp9Depacketizer.depacketize([b(0x08, 0x82, 0x01), b(0x0c, 0x86, 0x02, 0x03)]) as Buffer;
    expect(f.subarray(0, 5)).toEqual(b(0x82, 0x01, 0x86, 0x02, 0x03));
    expect(f[5]).toBe(0xd9);
    expect(f[f.length - 1]).toBe(0xd9);
    expect(f.readUInt32LE(6)).toBe(2);
    expect(f.readUInt32LE(10)).toBe(3);
  });
});

describe('H264', () => {
  const sps = b(0x67, 0x42, 0xc0, 0x1e, 0xaa);
  const pps = b(0x68, 0xce, 0x3c, 0x80);
  const idr = b(0x65, 0x88, 0x84, 0x00, 0x11, 0x22);
  it('depacketizes STAP-A and FU-A to Annex B and detects the IDR key frame', () => {
    const stap = Buffer.concat([b(0x78, 0, sps.length), sps, b(0, pps.length), pps]);
    const fuStart = b(0x7c, 0x85, 0x88, 0x84);
    const fuEnd = b(0x7c, 0x45, 0x00, 0x11, 0x22);
    const frame = h264Depacketizer.depacketize([stap, fuStart, fuEnd]) as Buffer;
    const sc = b(0, 0, 0, 1);
    expect(frame).toEqual(Buffer.concat([sc, sps, sc, pps, sc, idr]));
    expect(h264Depacketizer.isKeyframe(frame)).toBe(true);
    expect(h264Depacketizer.isKeyframe(Buffer.concat([sc, b(0x41, 0x9a, 0x00)]))).toBe(false);
    expect(annexBToAvcc(frame)).toEqual(Buffer.concat([b(0, 0, 0, 5), sps, b(0, 0, 0, 4), pps, b(0, 0, 0, 6), idr]));
    expect(avcDecoderConfig(frame)?.subarray(0, 6)).toEqual(b(1, 0x42, 0xc0, 0x1e, 0xff, 0xe1));
  });
  it('rejects an FU-A continuation without its start', () => {
    expect(h264Depacketizer.depacketize([b(0x7c, 0x05, 0x01)])).toBeNull();
    expect(h264Depacketizer.isFrameStart(b(0x7c, 0x05))).toBe(false);
    expect(h264Depacketizer.isFrameStart(b(0x7c, 0x85))).toBe(true);
  });
});

describe('AV1', () => {
  const seqHdr = b(0x08, 0x00, 0x00, 0x00, 0x42); // type 1, no size field
  const frameObu = b(0x30, 0x10, 0x20, 0x30); // type 6 (frame): show_existing 0, frame_type 0 (key)
  it('round-trips leb128', () => {
    expect(readLeb128(leb128(300), 0)).toEqual([300, 2]);
  });
  it('reassembles OBUs fragmented across packets, adds size fields and detects the key frame', () => {
    const p1 = Buffer.concat([b(0x40 | 0x08), leb128(seqHdr.length), seqHdr, leb128(2), frameObu.subarray(0, 2)]); // Y, N
    const p2 = Buffer.concat([b(0x80 | 0x10), frameObu.subarray(2)]); // Z, W=1
    const frame = av1Depacketizer.depacketize([p1, p2]) as Buffer;
    expect(frame).toEqual(Buffer.concat([b(0x0a, 4), seqHdr.subarray(1), b(0x32, 3), frameObu.subarray(1)]));
    expect(av1Depacketizer.isKeyframe(frame)).toBe(true);
    expect(av1Depacketizer.isFrameStart(p1)).toBe(true);
    expect(av1Depacketizer.isFrameStart(p2)).toBe(false);
  });
  it('drops temporal delimiters and sees inter frames as non-key', () => {
    const td = b(0x12, 0x00);
    const inter = b(0x32, 0x02, 0x20, 0x00); // sized frame OBU, frame_type 1
    const frame = av1Depacketizer.depacketize([Buffer.concat([b(0x20), leb128(td.length), td, inter])]) as Buffer;
    expect(frame).toEqual(inter);
    expect(av1Depacketizer.isKeyframe(frame)).toBe(false);
  });
});

describe('Opus', () => {
  it('reads packet durations from the TOC', () => {
    expect(opusPacketSamples(b(0xfc))).toBe(960); // CELT 20 ms, 1 frame
    expect(opusPacketSamples(b(0x78 | 1))).toBe(1920); // config 15 (hybrid 20 ms), code 1: 2 frames
    expect(opusPacketSamples(b(0x1b, 0x02))).toBe(2 * 2880); // SILK 60 ms, code 3, 2 frames
  });
});
