import { createSocket, type Socket } from 'node:dgram';
import { MediaStreamTrack, RTCPeerConnection } from 'werift';
import { createLogger } from '../common/logger';
import { CallPeer } from './call-peer';
import { buildPeerConfig, loopbackOnlyPeerConfig } from './peer-config';

jest.setTimeout(30_000);

/**
 * A STUN server on loopback that answers Binding requests after `delayMs` (or never) with a mapped
 * address of 127.0.0.2 (so werift's server-reflexive candidate differs from its host candidate).
 */
async function slowStun(delayMs: number | 'never'): Promise<{ port: number; close(): void }> {
  const sock: Socket = createSocket('udp4');
  let open = true;
  sock.on('message', (msg, rinfo) => {
    if (delayMs === 'never' || msg.length < 20 || msg.readUInt16BE(0) !== 0x0001) return;
    const txn = msg.subarray(4, 20); // magic cookie + transaction id
    const attr = Buffer.alloc(12);
    attr.writeUInt16BE(0x0020, 0); // XOR-MAPPED-ADDRESS
    attr.writeUInt16BE(8, 2);
    attr.writeUInt16BE(0x0001, 4); // IPv4
    attr.writeUInt16BE(rinfo.port ^ 0x2112, 6);
    attr.writeUInt32BE((0x7f000002 ^ 0x2112a442) >>> 0, 8);
    const head = Buffer.alloc(4);
    head.writeUInt16BE(0x0101, 0); // Binding success
    head.writeUInt16BE(attr.length, 2);
    setTimeout(() => open && sock.send(Buffer.concat([head, txn, attr]), rinfo.port, rinfo.address), delayMs);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  return {
    port: sock.address().port,
    close: () => {
      open = false;
      sock.close();
    },
  };
}

async function answerWith(stunPort: number, stunTimeoutMs: number | undefined) {
  const remote = new RTCPeerConnection({ ...loopbackOnlyPeerConfig(), iceServers: [] });
  remote.addTransceiver('audio', { direction: 'sendrecv' });
  remote.addTransceiver('video', { direction: 'sendrecv' });
  await remote.setLocalDescription(await remote.createOffer());
  const peer = new CallPeer({
    remoteId: 'remote',
    peerConfig: buildPeerConfig(
      { iceServers: [{ urls: `stun:127.0.0.1:${stunPort}` }], iceTransportPolicy: 'all' },
      { iceServers: [], iceTransportPolicy: 'all', stunTimeoutMs },
      loopbackOnlyPeerConfig(),
    ),
    local: { audio: new MediaStreamTrack({ kind: 'audio' }), video: new MediaStreamTrack({ kind: 'video' }) },
    log: createLogger({}),
    onTrack: () => undefined,
    onConnectionState: () => undefined,
  });
  const t0 = Date.now();
  const answer = await peer.answer(remote.localDescription!.sdp);
  return { remote, peer, answer, answeredMs: Date.now() - t0 };
}

describe('CallPeer with slow or unreachable STUN servers (real werift, STUN on loopback)', () => {
  it('a STUN server that never answers: the answer goes out ~1 s after gathering starts (werift alone waits 5 s), with the host candidate in it', async () => {
    const stun = await slowStun('never');
    const { remote, peer, answer, answeredMs } = await answerWith(stun.port, 1000);
    try {
      console.log(`answer with a blackholed STUN server after ${answeredMs} ms (stunTimeoutMs 1000)`);
      expect(answeredMs).toBeLessThan(2500);
      expect(answer.sdp).toMatch(/a=candidate:.* 127\.0\.0\.1 \d+ typ host/);
    } finally {
      await peer.close();
      await remote.close();
      stun.close();
    }
  });

  it('a STUN server that answers (after 300 ms): its server-reflexive candidate is in the SDP', async () => {
    const stun = await slowStun(300);
    const { remote, peer, answer } = await answerWith(stun.port, 1000);
    try {
      expect(answer.sdp).toMatch(/a=candidate:.* 127\.0\.0\.2 \d+ typ srflx raddr 127\.0\.0\.1/);
    } finally {
      await peer.close();
      await remote.close();
      stun.close();
    }
  });
});
