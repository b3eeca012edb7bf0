import { FrameAssembler, type AssembledFrame } from './frame-assembler';
import { vp8Depacketizer } from '../codecs/vp8';

// VP8 descriptor byte: S bit (0x10) on the first packet of a frame.
const key = Buffer.from([0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00]);
function vp8(start: boolean, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([start ? 0x10 : 0x00]), body]);
}
const KEYFRAME = Buffer.concat([Buffer.from([0x10, 0x02, 0x00]), key]); // tag bit0 = 0 (key)
const DELTA = Buffer.from([0x31, 0x02, 0x00, 0x11, 0x22]);

function setup(): { fa: FrameAssembler; frames: AssembledFrame[] } {
  const frames: AssembledFrame[] = [];
  return { fa: new FrameAssembler({ kind: 'video', depacketizer: vp8Depacketizer }, (f) => frames.push(f)), frames };
}

describe('FrameAssembler (video)', () => {
  it('groups packets by timestamp up to the marker and detects the key frame', () => {
    const { fa, frames } = setup();
    fa.onPacket(1, 0, false, vp8(true, KEYFRAME.subarray(0, 5)), 0);
    fa.onPacket(2, 0, true, vp8(false, KEYFRAME.subarray(5)), 1);
    fa.onPacket(3, 3000, true, vp8(true, DELTA), 33);
    expect(frames.map((f) => [f.rtpTimestamp, f.complete, f.keyframe, f.lossBefore])).toEqual([[0, true, true, false], [3000, true, false, false]]);
    expect(frames[0]?.data).toEqual(KEYFRAME);
  });

  it('marks a frame with a lost middle packet incomplete', () => {
    const { fa, frames } = setup();
    fa.onPacket(1, 0, false, vp8(true, KEYFRAME.subarray(0, 5)), 0);
    fa.onLoss();
    fa.onPacket(3, 0, true, vp8(false, KEYFRAME.subarray(8)), 1);
    expect(frames[0]?.complete).toBe(false);
    expect(frames[0]?.keyframe).toBe(false);
  });

  it('marks a frame whose marker packet was lost incomplete, and the next one lossBefore', () => {
    const { fa, frames } = setup();
    fa.onPacket(1, 0, false, vp8(true, DELTA), 0);
    fa.onLoss();
    fa.onPacket(3, 3000, true, vp8(true, DELTA), 33);
    expect(frames.map((f) => [f.complete, f.lossBefore])).toEqual([[false, false], [true, true]]);
  });

  it('a frame whose first packet was lost is incomplete', () => {
    const { fa, frames } = setup();
    fa.onLoss();
    fa.onPacket(2, 0, true, vp8(false, DELTA), 0);
    expect(frames[0]?.complete).toBe(false);
  });
});
