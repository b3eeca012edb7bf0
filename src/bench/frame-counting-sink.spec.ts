import { RtpHeader, RtpPacket } from 'werift';
import type { TrackSink } from '../recorder/track-sink';
import { FrameCountingSinkFactory } from './frame-counting-sink';

const pkt = (seq: number, ts: number, bytes = 10): RtpPacket => new RtpPacket(new RtpHeader({ sequenceNumber: seq, timestamp: ts, payloadType: 96 }), Buffer.alloc(bytes, 1));

describe('FrameCountingSinkFactory', () => {
  it('counts packets and distinct frames, ignores a late packet of a counted frame and padding, forwards everything', async () => {
    const seen: number[] = [];
    let closed = 0;
    const inner = { createTrackSink: (): TrackSink => ({ onRtp: (p) => void seen.push(p.header.sequenceNumber), close: async () => void closed++ }) };
    const f = new FrameCountingSinkFactory(inner);
    const s = f.createTrackSink({ participantId: 'p', displayName: 'P', kind: 'video', trackId: 't', mimeType: 'video/VP8', clockRate: 90000, payloadType: 96, ssrc: 1 }, { requestKeyframe: () => undefined });
    s.onRtp(pkt(1, 1000), 0);
    s.onRtp(pkt(2, 1000), 0);
    s.onRtp(pkt(4, 4000), 0);
    s.onRtp(pkt(3, 1000), 0); // retransmitted packet of the first frame
    s.onRtp(pkt(5, 7000, 0), 0); // padding only
    await s.close();
    s.onRtp(pkt(6, 10000), 0); // after close: forwarded, not counted
    expect(f.totals().video).toEqual({ packets: 4, frames: 2, tracks: 1 });
    expect(seen).toEqual([1, 2, 4, 3, 5, 6]);
    expect(closed).toBe(1);
  });
});
