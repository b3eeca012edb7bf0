/**
 * Real werift peers (DTLS/SRTP over loopback): VP8 RTP from ffmpeg is sent through a werift sender
 * whose transport drops the first transmission of some packets; the werift receiver NACKs, the
 * sender retransmits over RTX, werift unwraps it, and the recorder must count the packets as
 * recovered (not lost) and write every frame into clean segments.
 */
import { promises as fsp } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters, useSdesMid, type RtpHeader, type RtpPacket } from 'werift';
import type { ManifestSegment } from '../../src/manifest/manifest.types';
import { RecordingSession } from '../../src/recorder/recording-session';
import { captureRtp } from '../../src/recorder/testing/rtp-capture';
import { checkSegment } from '../../src/recorder/testing/media-check';
import type { TrackSink } from '../../src/recorder/track-sink';
import type { TrackStats } from '../../src/recorder/track-recorder';

jest.setTimeout(60_000);

function peer(): RTCPeerConnection {
  return new RTCPeerConnection({
    codecs: {
      audio: [],
      video: [
        new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90_000, payloadType: 96, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }] }),
        new RTCRtpCodecParameters({ mimeType: 'video/rtx', clockRate: 90_000, payloadType: 97, parameters: 'apt=96' }),
      ],
    },
    headerExtensions: { audio: [], video: [useSdesMid()] },
    iceServers: [],
    iceUseIpv6: false,
    iceAdditionalHostAddresses: ['127.0.0.1'],
    iceFilterCandidatePair: (pair) => pair.remoteCandidate.host === '127.0.0.1',
  });
}

it('recovers werift NACK/RTX retransmissions without loss', async () => {
  const packets = await captureRtp('vp8', 5);
  const spool = await fsp.mkdtemp(path.join(os.tmpdir(), 'recbot-werift-'));
  const segs: ManifestSegment[] = [];
  const session = await RecordingSession.open({ recordingId: 'rec-werift', roomId: 'r', spoolDir: spool, part: 1, botId: 'b', segmentSeconds: 2,
    jitterBufferMs: 300, journalFsyncMs: 200, uploadQueueMax: 8, onSegmentClosed: (s) => void segs.push(s) });
  const pcS = peer();
  const pcR = peer();
  try {
    const local = new MediaStreamTrack({ kind: 'video' });
    const tx = pcS.addTransceiver(local, { direction: 'sendonly' });
    pcR.addTransceiver('video', { direction: 'recvonly' });
    let sink: TrackSink | undefined;
    pcR.onTrack.subscribe((track) => {
      sink = session.createTrackSink(
        { participantId: 'p', displayName: 'P', kind: 'video', trackId: track.id ?? 'v', mimeType: 'video/VP8', clockRate: 90_000, payloadType: 96, ssrc: track.ssrc ?? 0 },
        { requestKeyframe: () => undefined },
      );
      track.onReceiveRtp.subscribe((rtp: RtpPacket) => sink?.onRtp(rtp, Date.now()));
    });
    await pcS.setLocalDescription(await pcS.createOffer());
    await pcR.setRemoteDescription(pcS.localDescription!);
    await pcR.setLocalDescription(await pcR.createAnswer());
    await pcS.setRemoteDescription(pcR.localDescription!);
    const deadline = Date.now() + 10_000;
    while (pcS.connectionState !== 'connected' || pcR.connectionState !== 'connected') {
      if (Date.now() > deadline) throw new Error('peers did not connect');
      await new Promise((r) => setTimeout(r, 50));
    }
    // Drop the first transmission of every 20th media packet (retransmissions use RTX, pt 97); not
    // the first packets (the receiver cannot NACK what precedes its first packet) nor the last ones.
    const dtls = tx.sender.dtlsTransport;
    const send = dtls.sendRtp.bind(dtls);
    const dropped = new Set<number>();
    let sent = 0;
    dtls.sendRtp = (payload: Buffer, header: RtpHeader): Promise<number> => {
      if (header.payloadType === 96) sent++;
      if (header.payloadType === 96 && sent > 30 && sent < packets.length - 10 && sent % 20 === 7 && !dropped.has(header.sequenceNumber)) {
        dropped.add(header.sequenceNumber);
        return Promise.resolve(0);
      }
      return send(payload, header);
    };
    const start = Date.now();
    const ts0 = packets[0]?.header.timestamp ?? 0;
    for (const p of packets) {
      const at = start + (((p.header.timestamp - ts0) >>> 0) / 90_000) * 1000;
      if (at > Date.now()) await new Promise((r) => setTimeout(r, at - Date.now()));
      local.writeRtp(p);
    }
    await new Promise((r) => setTimeout(r, 800));
    expect(sink).toBeDefined();
    await session.close('test');
    const st = session.stats().tracks['p/video'] as TrackStats;
    expect(dropped.size).toBeGreaterThan(5);
    expect(st.lost).toBe(0);
    expect(st.recovered).toBeGreaterThanOrEqual(dropped.size);
    expect(st.framesWritten).toBe(new Set(packets.map((p) => p.header.timestamp)).size);
    expect(segs.length).toBeGreaterThanOrEqual(2);
    for (const s of segs) {
      const r = await checkSegment(s.localPath as string);
      expect(r.decodeErrors).toBe('');
      expect(r.packets).toBe(s.frames);
    }
  } finally {
    await session.close();
    await pcS.close();
    await pcR.close();
    await fsp.rm(spool, { recursive: true, force: true });
  }
});
