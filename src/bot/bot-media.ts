import { av1LoopSource, h264LoopSource, opusLoopSource, vp8LoopSource, vp9LoopSource } from '../media/loop-sources';
import { ensureRecTile, ensureSilentOpus, TILE_FPS } from '../media/media-cache';
import type { LoopSource } from '../media/paced-rtp-sender';
import type { BotVideoCodec } from '../media/video-codecs';
import type { BotMedia } from './bot.types';

/**
 * The bot's outgoing media: silent Opus in 60 ms packets and the 5 fps REC tile pre-encoded in every
 * codec it may have to send (VP8, VP9, H264, AV1), made once and cached in `cacheDir` (the four
 * encodes take well under a second together). 60 ms silence is a third of the packets (and SRTP
 * work) of 20 ms; browsers play it.
 */
export async function loadBotMedia(cacheDir: string): Promise<BotMedia> {
  const [audio, vp8, vp9, h264, av1] = await Promise.all([
    ensureSilentOpus(cacheDir, 2, 60),
    ensureRecTile(cacheDir, 'VP8'),
    ensureRecTile(cacheDir, 'VP9'),
    ensureRecTile(cacheDir, 'H264'),
    ensureRecTile(cacheDir, 'AV1'),
  ]);
  const video: Record<BotVideoCodec, LoopSource> = {
    VP8: vp8LoopSource(vp8),
    VP9: vp9LoopSource(vp9),
    H264: h264LoopSource(h264, TILE_FPS),
    AV1: av1LoopSource(av1),
  };
  return { audio: opusLoopSource(audio), video };
}
