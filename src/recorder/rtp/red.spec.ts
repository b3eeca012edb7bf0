import { parseRed } from './red';
import { FrameAssembler, type AssembledFrame } from './frame-assembler';
import { opusDepacketizer } from '../codecs/opus';

/** RED payload with one redundant block (offset `off`) and a primary. */
function red(pt: number, off: number, redundant: Buffer, primary: Buffer): Buffer {
  const h = Buffer.alloc(5);
  h.writeUInt32BE((((0x80 | pt) << 24) | (off << 10) | redundant.length) >>> 0);
  h[4] = pt;
  return Buffer.concat([h, redundant, primary]);
}

describe('RED', () => {
  it('parses redundant and primary blocks', () => {
    const b = parseRed(red(111, 960, Buffer.from([1, 2]), Buffer.from([3, 4, 5])));
    expect(b).toEqual([
      { payloadType: 111, timestampOffset: 960, data: Buffer.from([1, 2]) },
      { payloadType: 111, timestampOffset: 0, data: Buffer.from([3, 4, 5]) },
    ]);
    expect(parseRed(Buffer.from([0x80 | 111, 0, 0]))).toBeNull();
  });

  it('unwraps to the primary and fills a lost packet from redundancy', () => {
    const frames: AssembledFrame[] = [];
    const fa = new FrameAssembler({ kind: 'audio', depacketizer: opusDepacketizer, redPayloadType: 63 }, (f) => frames.push(f));
    fa.onPacket(1, 0, false, red(111, 960, Buffer.from([0xaa]), Buffer.from([0x01])), 0, 63);
    // packet 2 (ts 960) lost; packet 3 carries it as redundancy
    fa.onLoss();
    fa.onPacket(3, 1920, false, red(111, 960, Buffer.from([0x02]), Buffer.from([0x03])), 40, 63);
    // werift already unwrapped this one: plain Opus with the Opus payload type
    fa.onPacket(4, 2880, false, Buffer.from([0x04]), 60, 111);
    expect(frames.map((f) => [f.rtpTimestamp, f.data[0], f.fromRedundancy])).toEqual([[0, 0x01, false], [960, 0x02, true], [1920, 0x03, false], [2880, 0x04, false]]);
  });
});
