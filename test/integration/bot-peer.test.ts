import { MediaStreamTrack, type RtpPacket } from 'werift';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/common/logger';
import { CallPeer, type PeerInboundTrack } from '../../src/bot/call-peer';
import { buildPeerConfig, loopbackOnlyPeerConfig } from '../../src/bot/peer-config';
import { ensurePatternVp8, ensureSpeechOpus, opusLoopSource, PacedRtpSender, vp8LoopSource } from '../../src/media';

jest.setTimeout(30_000);

describe('CallPeer (two werift peers, real DTLS/SRTP)', () => {
  it('negotiates with candidates inside the SDP and carries Opus + VP8 both ways', async () => {
    const cache = join(tmpdir(), 'recbot-media-cache');
    const audio = new PacedRtpSender(opusLoopSource(await ensureSpeechOpus(cache, ['Testing one two three.'])));
    const video = new PacedRtpSender(vp8LoopSource(await ensurePatternVp8(cache, { width: 320, height: 180, seconds: 4 })));
    const cfg = buildPeerConfig(undefined, { iceServers: [], iceTransportPolicy: 'all' }, loopbackOnlyPeerConfig());
    const got: Record<string, number> = {};
    const mk = (name: string): CallPeer => {
      const a = new MediaStreamTrack({ kind: 'audio' });
      const v = new MediaStreamTrack({ kind: 'video' });
      audio.addTarget(a);
      video.addTarget(v);
      return new CallPeer({
        remoteId: name,
        peerConfig: cfg,
        local: { audio: a, video: v },
        log: createLogger({ name }),
        onTrack: (t: PeerInboundTrack) => {
          t.requestKeyframe();
          t.track.onReceiveRtp.subscribe((p: RtpPacket) => {
            const k = `${name}:${t.track.kind}:${t.track.codec?.mimeType}`;
            got[k] = (got[k] ?? 0) + (p.payload.length > 0 ? 1 : 0);
          });
        },
        onConnectionState: () => undefined,
      });
    };
    const a = mk('a');
    const b = mk('b');
    audio.start();
    video.start();
    try {
      const offer = await a.offer();
      expect(offer.sdp).toContain('a=candidate:');
      expect(offer.sdp).not.toContain('transport-cc');
      const answer = await b.answer(offer.sdp);
      expect(answer.sdp).toContain('a=candidate:');
      expect(answer.sdp).toMatch(/a=rtpmap:96 VP8/i);
      await a.applyAnswer(answer.sdp);
      await new Promise((r) => setTimeout(r, 3000));
      expect(a.connectionState).toBe('connected');
      const keys = Object.keys(got).sort();
      expect(keys).toEqual(['a:audio:audio/opus', 'a:video:video/VP8', 'b:audio:audio/opus', 'b:video:video/VP8']);
      for (const k of keys) expect(got[k]).toBeGreaterThan(k.includes('audio') ? 50 : 40);
      const bytes = await b.rtpBytes();
      expect(bytes.received).toBeGreaterThan(10_000);
      // ICE restart (werift needs our kick to re-run connectivity checks): media resumes, same tracks
      const before = { ...got };
      const restartOffer = await a.offer(true);
      const restartAnswer = await b.answer(restartOffer.sdp);
      expect(b.remoteIceRestarts).toBe(1);
      expect(/a=ice-ufrag:(\S+)/.exec(restartAnswer.sdp)?.[1]).not.toBe(/a=ice-ufrag:(\S+)/.exec(answer.sdp)?.[1]);
      await a.applyAnswer(restartAnswer.sdp);
      await new Promise((r) => setTimeout(r, 2000));
      expect(Object.keys(got).sort()).toEqual(keys);
      for (const k of keys) expect(got[k]! - before[k]!).toBeGreaterThan(k.includes('audio') ? 50 : 30);
    } finally {
      audio.close();
      video.close();
      await a.close();
      await b.close();
    }
  });
});
