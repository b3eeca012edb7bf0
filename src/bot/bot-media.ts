import { opusLoopSource, vp8LoopSource } from '../media/loop-sources';
import { ensureRecTileVp8, ensureSilentOpus } from '../media/media-cache';
import type { BotMedia } from './bot';

/** The bot's outgoing media (silent Opus + REC tile), made once and cached in `cacheDir`. */
export async function loadBotMedia(cacheDir: string): Promise<BotMedia> {
  const [audio, video] = await Promise.all([ensureSilentOpus(cacheDir, 2), ensureRecTileVp8(cacheDir)]);
  return { audio: opusLoopSource(audio), video: vp8LoopSource(video) };
}
