import { decodeJournal, encodeFrame, encodeHeader, encodeSenderReport, type JournalHeader } from './journal-format';

const header: JournalHeader = { recordingId: 'r', participantId: 'p', trackKey: 'audio', seq: 3, part: 1, codec: 'opus', kind: 'audio', clockRate: 48000, channels: 2, createdMs: 1 };
const frame = (i: number): Buffer[] => encodeFrame({ rtpTimestamp: 2 ** 33 + i * 960, keyframe: i === 0, arrivalFirstMs: 1000 + i, arrivalLastMs: 1001 + i, data: Buffer.alloc(10 + i, i) });

describe('journal format', () => {
  it('round-trips header, frames and sender reports', () => {
    const buf = Buffer.concat([encodeHeader(header), ...frame(0), encodeSenderReport({ ntpMs: 5, rtpTimestamp: 6, arrivalMs: 7 }), ...frame(1)]);
    const j = decodeJournal(buf)!;
    expect(j.header).toEqual(header);
    expect(j.frames.map((f) => [f.rtpTimestamp, f.keyframe, f.arrivalFirstMs, f.data.length])).toEqual([[2 ** 33, true, 1000, 10], [2 ** 33 + 960, false, 1001, 11]]);
    expect(j.senderReports).toEqual([{ ntpMs: 5, rtpTimestamp: 6, arrivalMs: 7 }]);
    expect(j.tornBytes).toBe(0);
  });

  it('tolerates a torn last record and stops at a corrupt one', () => {
    const whole = Buffer.concat([encodeHeader(header), ...frame(0), ...frame(1), ...frame(2)]);
    for (let cut = 1; cut < 40; cut += 7) {
      const j = decodeJournal(whole.subarray(0, whole.length - cut))!;
      expect(j.frames).toHaveLength(2);
      expect(j.tornBytes).toBeGreaterThan(0);
    }
    const bad = Buffer.from(whole);
    bad[bad.length - 3] = (bad[bad.length - 3] as number) ^ 0xff; // flip a data byte of the last frame: CRC mismatch
    expect(decodeJournal(bad)!.frames).toHaveLength(2);
    expect(decodeJournal(Buffer.from('nope'))).toBeNull();
  });
});
