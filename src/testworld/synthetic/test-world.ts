import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bot } from '../../bot/bot';
import { loadBotMedia } from '../../bot/bot-media';
import { DEFAULT_BOT_SETTINGS, type BotSettings } from '../../bot/bot-settings';
import { CountingSinkFactory } from '../../bot/counting-track-sink';
import { loopbackOnlyPeerConfig } from '../../bot/peer-config';
import type { LoopSource } from '../../media/paced-rtp-sender';
import { GdmnSignalingAdapter, type GdmnAdapterOptions } from '../../signaling/gdmn-signaling.adapter';
import { loadSyntheticMedia } from './synthetic-media';
import { SyntheticParticipant, type SyntheticOptions } from './synthetic-participant';

/** Poll `cond` every 100 ms until true or `ms` elapsed (then throws with `what`). */
export async function waitFor(cond: () => boolean, ms: number, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timeout waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A room on a signaling server with synthetic participants and bots, all loopback-only; close() cleans up. */
export class TestRoom {
  readonly roomId = randomUUID();
  readonly people: SyntheticParticipant[] = [];
  readonly bots: { bot: Bot; signaling: GdmnSignalingAdapter; sinks: CountingSinkFactory }[] = [];
  private media: { audio: LoopSource; video: LoopSource } | undefined;
  readonly cacheDir = join(tmpdir(), 'recbot-media-cache');

  constructor(readonly url: string) {}

  async participant(name: string, opts: Partial<SyntheticOptions> = {}): Promise<SyntheticParticipant> {
    this.media ??= await loadSyntheticMedia(this.cacheDir);
    const p = new SyntheticParticipant({
      url: this.url,
      roomId: this.roomId,
      name,
      media: this.media,
      peerConfigOverrides: loopbackOnlyPeerConfig(),
      callerOfferDelayMs: 1500,
      ...opts,
    });
    this.people.push(p);
    await p.join();
    return p;
  }

  async bot(settings: Partial<BotSettings> = {}, adapter: Partial<GdmnAdapterOptions> = {}): Promise<{ bot: Bot; signaling: GdmnSignalingAdapter; sinks: CountingSinkFactory }> {
    const signaling = new GdmnSignalingAdapter({
      ...adapter,
      url: this.url,
      roomId: this.roomId,
      name: 'Recorder',
      reconnectBaseDelayMs: 200,
      reconnectMaxDelayMs: 2000,
    });
    const sinks = new CountingSinkFactory();
    const bot = new Bot({
      signaling,
      sinkFactory: sinks,
      media: await loadBotMedia(this.cacheDir),
      settings: { ...DEFAULT_BOT_SETTINGS, callerOfferWaitMs: 1500, peerConfigOverrides: loopbackOnlyPeerConfig(), ...settings },
    });
    const entry = { bot, signaling, sinks };
    this.bots.push(entry);
    await bot.start();
    return entry;
  }

  async close(): Promise<void> {
    await Promise.all([...this.bots.map((b) => b.bot.stop('test end')), ...this.people.map((p) => p.leave())]);
  }
}
