/**
 * Issue 5, test 4: 5% random packet loss on the Chromium -> bot path. Chromium runs inside a network
 * namespace the test creates (test/support/netns.ts), joined to the host by a veth pair; an nftables
 * `netdev` egress rule on the namespace's end drops 5% of the UDP leaving it, at random (the sender
 * sees no error, as on a lossy network). Lost video packets must come back through NACK/RTX (>= 95%
 * recovered), the output must decode cleanly, and the counts must be visible in
 * recbot_rtp_packets_lost_total / recbot_rtp_packets_recovered_total.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSignalingServer, type SignalingServerHandle } from '../../src/signaling-server/signaling-server';
import { BrowserParticipant } from '../../src/testworld/browser/browser-participant';
import { createTestNetns, type TestNetns } from '../support/netns';
import {
  checkSegmentFile, exposePeerConnections, segmentFile, sentStats, setSending, startRecbot, type Recbot, startRecording, stopRecording,
  trackSegments, waitManifest,
} from './recorder-harness';

jest.setTimeout(150_000);

const SECONDS = 25;

async function metric(api: string, name: string, kind: string): Promise<number> {
  const text = await (await fetch(`${api}/metrics`)).text();
  const m = new RegExp(`^${name}\\{kind="${kind}"\\} (\\d+)`, 'm').exec(text);
  return Number(m?.[1] ?? 0);
}

describe('5% packet loss between Chromium and the bot', () => {
  const dir = mkdtempSync(join(tmpdir(), 'recbot-e2e-loss-'));
  let svc: Recbot;
  let signal: SignalingServerHandle;
  let host: BrowserParticipant | undefined;
  let ns: TestNetns;
  beforeAll(async () => {
    ns = await createTestNetns();
    // The bot gathers its host candidates on every interface (the veth address among them).
    // The signaling server listens on the test namespace's host-side veth address (private): allow exactly it.
    svc = await startRecbot(dir, { ICE_LOOPBACK_ONLY: 'false', OUTBOUND_ALLOW: `loopback,${ns.hostIp}` });
    signal = await startSignalingServer({ host: ns.hostIp });
  });
  afterAll(async () => {
    await host?.close();
    await signal?.close();
    await svc?.close();
    await ns?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`VP8 + Opus, ${SECONDS} s: >= 95% of lost video packets recovered via NACK, clean decode, counters exposed`, async () => {
    const room = `loss-${Date.now()}`;
    host = await BrowserParticipant.launch({
      serverUrl: signal.url, roomId: `video:${room}`, participantId: 'chrome-host', role: 'host', codec: 'VP8',
      executablePath: ns.wrap('/usr/bin/chromium', join(dir, 'chromium-in-netns')),
      // getUserMedia needs a secure context; the page comes from the veth address, not localhost
      extraArgs: [`--unsafely-treat-insecure-origin-as-secure=${signal.url}`],
    });
    await exposePeerConnections(host);
    const id = await startRecording(svc.url, { signalingUrl: signal.url, roomId: room });
    await waitManifest(svc.url, id, (m) => m.tracks.length >= 2, 30_000, 'both tracks recording');
    const before = await sentStats(host);
    const base = { lost: await metric(svc.recorderUrl, 'recbot_rtp_packets_lost_total', 'video'), recovered: await metric(svc.recorderUrl, 'recbot_rtp_packets_recovered_total', 'video') };
    const loss = await ns.startLoss(Number(process.env.RECBOT_LOSS_PCT ?? 5));
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const dropped = await loss.dropped();
    await loss.stop();
    await setSending(host, false);
    await new Promise((r) => setTimeout(r, 1200));
    const sent = await sentStats(host);
    const m = await stopRecording(svc.url, id);
    const lost = (await metric(svc.recorderUrl, 'recbot_rtp_packets_lost_total', 'video')) - base.lost;
    const recovered = (await metric(svc.recorderUrl, 'recbot_rtp_packets_recovered_total', 'video')) - base.recovered;
    const audioLost = await metric(svc.recorderUrl, 'recbot_rtp_packets_lost_total', 'audio');
    const videoPackets = sent.videoPackets - before.videoPackets;
    const video = trackSegments(m, 'chrome-host', 'video');
    const written = video.reduce((n, s) => n + s.frames, 0);
    console.log(`${process.env.RECBOT_LOSS_PCT ?? 5}% loss for ${SECONDS} s: nftables dropped ${dropped} UDP packets leaving the namespace (all kinds); Chromium sent ${videoPackets} video packets, got ${sent.nackCount - before.nackCount} NACKs, ` +
      `retransmitted ${sent.retransmittedPackets - before.retransmittedPackets}; recorder video: recovered ${recovered}, lost ${lost} ` +
      `(${((100 * recovered) / Math.max(1, recovered + lost)).toFixed(1)}% recovered); audio lost ${audioLost}; frames sent ${sent.framesSent}, written ${written}`);
    expect(dropped).toBeGreaterThan(0);
    // The video share of the drops reached the recorder as holes in the media sequence (recovered or lost).
    expect(recovered + lost).toBeGreaterThan(0.025 * videoPackets);
    expect(recovered).toBeGreaterThanOrEqual(0.95 * (recovered + lost));
    for (const s of [...video, ...trackSegments(m, 'chrome-host', 'audio')]) {
      const c = await checkSegmentFile(segmentFile(svc, s));
      expect({ seg: `${s.trackKey}/${s.seq}`, decode: c.decodeErrors, seek: c.seekErrors }).toEqual({ seg: `${s.trackKey}/${s.seq}`, decode: '', seek: '' });
    }
    expect(written).toBeLessThanOrEqual(sent.framesSent);
  });
});
