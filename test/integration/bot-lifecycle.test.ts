import { randomUUID } from 'node:crypto';
import { Bot } from '../../src/bot/bot';
import { loadBotMedia } from '../../src/bot/bot-media';
import { DEFAULT_BOT_SETTINGS } from '../../src/bot/bot-settings';
import { CountingSinkFactory } from '../../src/bot/counting-track-sink';
import { GdmnSignalingAdapter } from '../../src/signaling/gdmn-signaling.adapter';
import { startSignalingServer, type SignalingServerHandle } from '../../src/signaling-server/signaling-server';
import { TestRoom, sleep, waitFor } from '../../src/testworld/synthetic/test-world';

jest.setTimeout(30_000);

describe('bot lifecycle', () => {
  let server: SignalingServerHandle;
  beforeAll(async () => {
    server = await startSignalingServer({});
  });
  afterAll(() => server.close());

  it('leaves an empty room after BOT_EMPTY_ROOM_TIMEOUT_MS, and stops at BOT_MAX_DURATION_MS', async () => {
    const room = new TestRoom(server.url);
    const empty = await room.bot({ emptyRoomTimeoutMs: 1500 });
    expect(await empty.bot.whenStopped()).toBe('empty-room');
    await waitFor(() => (server.stats().rooms[`video:${room.roomId}`] ?? []).length === 0, 3000, 'bot to leave the room');
    const host = await room.participant('Host', { host: true });
    const capped = await room.bot({ maxDurationMs: 4000 });
    await waitFor(() => capped.sinks.total(host.id, 'audio').packets > 20, 10_000, 'media');
    expect(await capped.bot.whenStopped()).toBe('max-duration');
    expect(capped.sinks.tracks.every((t) => t.closed)).toBe(true);
    await room.close();
  });

  it('a duplicate participantId (already_in_room) is terminal: no reconnect loop', async () => {
    const roomId = randomUUID();
    const participantId = `recbot-${randomUUID()}`;
    const first = new GdmnSignalingAdapter({ url: server.url, roomId, participantId, name: 'Recorder' });
    await first.connect();
    const second = new GdmnSignalingAdapter({ url: server.url, roomId, participantId, name: 'Recorder', reconnectBaseDelayMs: 100 });
    const bot = new Bot({
      signaling: second,
      sinkFactory: new CountingSinkFactory(),
      media: await loadBotMedia(new TestRoom(server.url).cacheDir),
      settings: DEFAULT_BOT_SETTINGS,
    });
    // the server accepts the socket, then says already_in_room: start() may resolve or reject
    await bot.start().catch((err: Error) => expect(err.message).toMatch(/already_in_room/));
    expect(await bot.whenStopped()).toMatch(/already_in_room/);
    await sleep(1500);
    expect(second.counters.connects).toBeLessThanOrEqual(1);
    expect(server.stats().rejectedDuplicate).toBeGreaterThanOrEqual(1);
    expect(first.connected).toBe(true);
    await first.close();
  });
});
