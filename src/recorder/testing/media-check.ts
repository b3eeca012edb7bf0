/** Test support: check segment files with the real ffmpeg/ffprobe. */
import { run } from './rtp-capture';

export interface ProbeResult {
  decodeErrors: string;
  durationMs: number;
  packets: number;
  codec: string;
  seekErrors: string;
}

/**
 * Decode fully (errors must be empty), read Duration and packet count, and seek into the middle.
 * The null output keeps the file's time base (`-enc_time_base -1`, as the pipeline's own check):
 * with the default 1/guessed-frame-rate two frames closer than one nominal interval collide there.
 */
export async function checkSegment(file: string, ffmpeg = 'ffmpeg', ffprobe = 'ffprobe'): Promise<ProbeResult> {
  const [, , decodeErrors] = await run(ffmpeg, ['-v', 'error', '-i', file, '-enc_time_base', '-1', '-f', 'null', '-']);
  const [, out] = await run(ffprobe, ['-v', 'error', '-count_packets', '-show_entries', 'format=duration:stream=codec_name,nb_read_packets', '-of', 'json', file]);
  const j = JSON.parse(out) as { format?: { duration?: string }; streams?: { codec_name?: string; nb_read_packets?: string }[] };
  const durationMs = Number(j.format?.duration ?? 'NaN') * 1000;
  const [, , seekErrors] = await run(ffmpeg, ['-v', 'error', '-ss', String(durationMs / 2000), '-i', file, '-frames', '5', '-enc_time_base', '-1', '-f', 'null', '-']);
  return { decodeErrors: decodeErrors.trim(), durationMs, packets: Number(j.streams?.[0]?.nb_read_packets ?? 0), codec: j.streams?.[0]?.codec_name ?? '', seekErrors: seekErrors.trim() };
}

/** True when the file's SeekHead lists a Cues element and the Cues element exists. */
export function hasIndexedCues(bytes: Buffer): boolean {
  const cuesId = Buffer.from([0x1c, 0x53, 0xbb, 0x6b]);
  const seekIdCues = Buffer.from([0x53, 0xab, 0x84, 0x1c, 0x53, 0xbb, 0x6b]);
  const inSeekHead = bytes.indexOf(seekIdCues);
  return inSeekHead >= 0 && inSeekHead < 200 && bytes.lastIndexOf(cuesId) > inSeekHead;
}
