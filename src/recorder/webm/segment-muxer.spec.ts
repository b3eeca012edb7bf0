import { ID, vintSize } from './ebml';
import { muxSegment } from './segment-muxer';

/** Read an element header at `o`: [id, size, dataStart]. */
function header(buf: Buffer, o: number): [number, number, number] {
  const first = buf[o] as number;
  const idLen = first >= 0x80 ? 1 : first >= 0x40 ? 2 : first >= 0x20 ? 3 : 4;
  const id = buf.readUIntBE(o, idLen);
  const s0 = buf[o + idLen] as number;
  let len = 1;
  while (len <= 8 && !(s0 & (0x80 >> (len - 1)))) len++;
  let size = s0 & (0xff >> len);
  for (let i = 1; i < len; i++) size = size * 256 + (buf[o + idLen + i] as number);
  return [id, size, o + idLen + len];
}

function children(buf: Buffer, start: number, end: number): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let o = start; o < end;) {
    const [id, size, data] = header(buf, o);
    out.push([id, data, size]);
    o = data + size;
  }
  return out;
}

describe('muxSegment', () => {
  it('encodes EBML sizes', () => {
    expect(vintSize(5)).toEqual(Buffer.from([0x85]));
    expect(vintSize(127)).toEqual(Buffer.from([0x40, 0x7f]));
    expect(vintSize(300)).toEqual(Buffer.from([0x41, 0x2c]));
  });

  it('writes SeekHead entries and Cues that point at the right elements, and the Duration', () => {
    const frames = Array.from({ length: 100 }, (_, i) => ({ timeMs: i * 20, keyframe: true, data: Buffer.alloc(30, i) }));
    const { bytes, frames: n, container } = muxSegment({ codec: 'opus', channels: 2 }, frames, 2000);
    expect(n).toBe(100);
    expect(container).toBe('webm');
    const [ebmlId, ebmlSize, ebmlData] = header(bytes, 0);
    expect(ebmlId).toBe(ID.EBML);
    const [segId, segSize, segData] = header(bytes, ebmlData + ebmlSize);
    expect(segId).toBe(ID.Segment);
    expect(segData + segSize).toBe(bytes.length);
    const top = children(bytes, segData, segData + segSize);
    expect(top.map((c) => c[0])).toEqual([ID.SeekHead, ID.Info, ID.Tracks, ID.Cluster, ID.Cluster, ID.Cues]);
    // SeekHead positions (relative to the segment data) land on the named elements.
    for (const [, data, size] of children(bytes, top[0]![1], top[0]![1] + top[0]![2])) {
      const [idEl, posEl] = children(bytes, data, data + size);
      const id = bytes.readUIntBE(idEl![1], idEl![2]);
      const pos = bytes.readUIntBE(posEl![1] + 2, 6);
      expect(header(bytes, segData + pos)[0]).toBe(id);
    }
    // Duration
    const info = children(bytes, top[1]![1], top[1]![1] + top[1]![2]);
    const dur = info.find((c) => c[0] === ID.Duration)!;
    expect(bytes.readDoubleBE(dur[1])).toBe(2000);
    // Cues: one per audio cluster (1 s), each pointing at a Cluster.
    const cues = children(bytes, top[5]![1], top[5]![1] + top[5]![2]);
    expect(cues).toHaveLength(2);
    for (const [, data, size] of cues) {
      const [time, pos] = children(bytes, data, data + size);
      const tp = children(bytes, pos![1], pos![1] + pos![2]);
      const clusterPos = bytes.readUIntBE(tp[1]![1], tp[1]![2]);
      expect(header(bytes, segData + clusterPos)[0]).toBe(ID.Cluster);
      expect([0, 1000]).toContain(bytes.readUIntBE(time![1], time![2]));
    }
  });

  it('starts video clusters (and cues) at key frames', () => {
    const frames = Array.from({ length: 90 }, (_, i) => ({ timeMs: Math.round(i * 33.3), keyframe: i % 30 === 0, data: Buffer.alloc(10) }));
    const { bytes, keyframes } = muxSegment({ codec: 'vp9' }, frames, 3000);
    expect(keyframes).toBe(3);
    let clusters = 0;
    for (let o = bytes.indexOf(Buffer.from([0x1f, 0x43, 0xb6, 0x75])); o >= 0; o = bytes.indexOf(Buffer.from([0x1f, 0x43, 0xb6, 0x75]), o + 1)) clusters++;
    expect(clusters).toBe(3);
  });
});
