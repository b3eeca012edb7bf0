import { opusLoopSource, vp8LoopSource } from '../media/loop-sources';
import { ensureRecTileVp8, ensureSilentOpus } from '../media/media-cache';
import type { BotMedia } from './bot';

/**
 * The bot's outgoing media (silent Opus in 60 ms packets + a 5 fps REC tile), made once and cached in
 * `cacheDir`. 60 ms silence is a third of the packets (and SRTP work) of 20 ms; browsers play it.
 */
export async function loadBotMedia(cacheDir: string): Promise<BotMedia> {
  const [audio, video] = await Promise.all([ensureSilentOpus(cacheDir, 2, 60), ensureRecTileVp8(cacheDir)]);
  return { audio: opusLoopSource(audio), video: vp8LoopSource(video) };
}
