import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bot } from '../../src/bot/bot';
import { loadBotMedia } from '../../src/bot/bot-media';
import { DEFAULT_BOT_SETTINGS } from '../../src/bot/bot-settings';
import { loopbackOnlyPeerConfig } from '../../src/bot/peer-config';
import { RecordingSession } from '../../src/recorder/recording-session';
import { GdmnSignalingAdapter } from '../../src/signaling/gdmn-signaling.adapter';
import { startSignalingServer, type SignalingServerHandle } from '../../src/signaling-server/signaling-server';
import { TestRoom, sleep } from '../../src/testworld/synthetic/test-world';

jest.setTimeout(60_000);

function files(dir: string, ext: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith(ext)).map((f) => join(dir, f));
}

function probe(file: string): { codec: string; seconds: number } {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name:format=duration', '-of', 'json', file], { encoding: 'utf8' });
  const j = JSON.parse(out) as { streams: { codec_name: string }[]; format: { duration?: string } };
  return { codec: j.streams[0]?.codec_name ?? '', seconds: Number(j.format.duration ?? 0) };
}

/** The bot feeding the real recorder (RecordingSession implements TrackSinkFactory). */
describe('bot -> recorder', () => {
  let server: SignalingServerHandle;
  const spool = mkdtempSync(join(tmpdir(), 'recbot-bot-spool-'));
  beforeAll(async () => {
    server = await startSignalingServer({});
  });
  afterAll(async () => {
    await server.close();
    rmSync(spool, { recursive: true, force: true });
  });

  it('records a synthetic host into decodable Opus and VP8 segments', async () => {
    const room = new TestRoom(server.url);
    const host = await room.participant('Host', { host: true });
    const session = await RecordingSession.open({
      recordingId: 'rec-bot-1', roomId: room.roomId, spoolDir: spool, part: 1, botId: 'bot-1', segmentSeconds: 2,
      jitterBufferMs: 200, journalFsyncMs: 200, uploadQueueMax: 100, onSegmentClosed: () => undefined,
    });
    const signaling = new GdmnSignalingAdapter({ url: server.url, roomId: room.roomId, name: 'Recorder' });
    const bot = new Bot({
      signaling,
      sinkFactory: session,
      media: await loadBotMedia(room.cacheDir),
      settings: { ...DEFAULT_BOT_SETTINGS, peerConfigOverrides: loopbackOnlyPeerConfig() },
    });
    await bot.start();
    await sleep(7000);
    await bot.stop('test end');
    await session.close('test end');
    await room.close();
    const dir = join(spool, 'rec-bot-1');
    const media = [...files(dir, '.webm'), ...files(dir, '.mkv')].filter((f) => f.includes(host.id.replace(/[^A-Za-z0-9_-]/g, '_')));
    const probed = media.map(probe);
    const audio = probed.filter((p) => p.codec === 'opus');
    const video = probed.filter((p) => p.codec === 'vp8');
    expect(audio.length).toBeGreaterThanOrEqual(2);
    expect(video.length).toBeGreaterThanOrEqual(2);
    expect(audio.reduce((s, p) => s + p.seconds, 0)).toBeGreaterThan(4);
    expect(video.reduce((s, p) => s + p.seconds, 0)).toBeGreaterThan(4);
    for (const f of media) {
      const r = spawnSync('ffmpeg', ['-v', 'error', '-i', f, '-f', 'null', '-'], { encoding: 'utf8' });
      expect(r.status).toBe(0);
      expect(r.stderr).toBe('');
    }
  });
});
