import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { decodeErrors, probe } from './media-check';

const execFileAsync = promisify(execFile);

export type SegmentHealth = { state: 'ok'; file: string } | { state: 'repaired'; file: string; problem: string } | { state: 'unusable'; problem: string };

/** A segment is usable when it probes with a duration and at least one stream and decodes without errors. */
async function problemOf(bins: { ffmpeg: string; ffprobe: string }, file: string): Promise<string | undefined> {
  try {
    const p = await probe(bins.ffprobe, file);
    if (p.streams.length === 0 || !(p.durationMs > 0)) return 'no streams or no duration';
    const errs = await decodeErrors(bins.ffmpeg, file);
    return errs.length > 0 ? errs.slice(0, 3).join(' | ') : undefined;
  } catch (err) {
    return err instanceof Error ? err.message.split('\n')[0] : String(err);
  }
}

/**
 * Check a segment before it is muxed; a corrupt or truncated one is remuxed keeping what decodes
 * (`-err_detect ignore_err`, corrupt packets discarded). Unusable segments are left out by the
 * caller and reported as a `corrupt` gap, so the rest of the recording is still published.
 */
export async function checkSegment(bins: { ffmpeg: string; ffprobe: string }, file: string, repairedPath: string): Promise<SegmentHealth> {
  const problem = await problemOf(bins, file);
  if (!problem) return { state: 'ok', file };
  try {
    await execFileAsync(bins.ffmpeg, [
      '-hide_banner', '-nostdin', '-v', 'error', '-y', '-err_detect', 'ignore_err', '-fflags', '+discardcorrupt+genpts',
      '-i', file, '-map', '0', '-c', 'copy', repairedPath,
    ]);
  } catch {
    return { state: 'unusable', problem };
  }
  const after = await problemOf(bins, repairedPath);
  return after ? { state: 'unusable', problem } : { state: 'repaired', file: repairedPath, problem };
}
