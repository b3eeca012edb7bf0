import { startSignalingServer, type SignalingServerHandle } from '../../src/signaling-server/signaling-server';
import { BrowserParticipant, type BrowserPageState } from '../../src/testworld/browser/browser-participant';
import { TestRoom, sleep, waitFor } from '../../src/testworld/synthetic/test-world';

jest.setTimeout(120_000);

/** The bot against real Chromium participants (the browser page of src/testworld/browser). */
describe('bot with Chromium participants', () => {
  let server: SignalingServerHandle;
  let room: TestRoom;
  const browsers: BrowserParticipant[] = [];
  beforeAll(async () => {
    server = await startSignalingServer({});
  });
  afterAll(() => server.close());
  beforeEach(() => {
    room = new TestRoom(server.url);
  });
  afterEach(async () => {
    await room.close();
    await Promise.all(browsers.splice(0).map((b) => b.close()));
  });

  const launch = async (participantId: string, role: 'host' | 'participant'): Promise<BrowserParticipant> => {
    const b = await BrowserParticipant.launch({ serverUrl: server.url, roomId: `video:${room.roomId}`, participantId, name: participantId, role, codec: 'VP8' });
    browsers.push(b);
    return b;
  };

  const botMediaAtBrowser = (botId: string) => (s: BrowserPageState): boolean => {
    const st = s.peers[botId]?.stats;
    return Boolean(st && st.audio.bytesReceived > 0 && st.video.framesDecoded > 5);
  };

  it('callee of a Chromium host: records its Opus + VP8 without transport-cc, and Chromium decodes the REC tile', async () => {
    const host = await launch('chrome-host', 'host');
    const { bot, sinks, signaling } = await room.bot({ statsIntervalMs: 2000 });
    await waitFor(() => sinks.total('chrome-host', 'video').frames > 40 && sinks.total('chrome-host', 'audio').packets > 100, 30_000, 'Chromium media at the bot');
    const kinds = sinks.tracks.map((t) => `${t.info.kind}:${t.info.mimeType}`).sort();
    expect(kinds).toEqual(['audio:audio/opus', 'video:video/VP8']);
    const page = await host.waitFor(botMediaAtBrowser(signaling.selfId), 20_000);
    const peer = page.peers[signaling.selfId]!;
    expect(peer.role).toBe('caller');
    expect(peer.rollbacks).toBe(0);
    await sleep(6000);
    const kbps = bot.status().peers[0]?.kbpsIn ?? 0;
    console.log(`bot inbound from Chromium after ~15 s: ${kbps} kbps`);
    expect(kbps).toBeGreaterThan(250); // Chrome ramps without transport-cc feedback
    const after = await host.snapshot();
    expect(after.peers[signaling.selfId]?.restartsFull).toBe(0);
    expect(after.peers[signaling.selfId]?.restartsIce).toBe(0);
  });

  it('caller towards a Chromium participant after MAKE_CALL', async () => {
    const host = await room.participant('Synthetic host', { host: true });
    await launch('chrome-guest', 'participant');
    await waitFor(() => host.peerStates()['chrome-guest'] === 'connected', 30_000, 'host-guest call');
    const { bot, sinks } = await room.bot();
    await waitFor(() => sinks.total('chrome-guest', 'video').frames > 30 && sinks.total('chrome-guest', 'audio').packets > 50, 30_000, 'Chromium media at the bot');
    expect(bot.status().peers.find((p) => p.id === 'chrome-guest')?.role).toBe('caller');
    await waitFor(() => sinks.total(host.id, 'audio').packets > 20, 15_000, 'synthetic host media at the bot');
  });
});
