import { opusLoopSource, vp8LoopSource } from '../../media/loop-sources';
import { ensurePatternVp8, ensureSpeechOpus, type PatternOptions } from '../../media/media-cache';
import type { LoopSource } from '../../media/paced-rtp-sender';

export const DEFAULT_SENTENCES = [
  'Hello, thank you for joining the interview today.',
  'Please tell me about a project you are proud of.',
];

/** Speech (flite, Opus) and a VP8 counter pattern for a synthetic participant, cached in `cacheDir`. */
export async function loadSyntheticMedia(
  cacheDir: string,
  sentences: string[] = DEFAULT_SENTENCES,
  pattern: PatternOptions = { width: 320, height: 240, seconds: 6 },
): Promise<{ audio: LoopSource; video: LoopSource }> {
  const [a, v] = await Promise.all([ensureSpeechOpus(cacheDir, sentences), ensurePatternVp8(cacheDir, pattern)]);
  return { audio: opusLoopSource(a), video: vp8LoopSource(v) };
}
