/** One coded video frame from an IVF file. */
export interface IvfFrame {
  data: Buffer;
  /** Presentation time in the file's timebase units. */
  pts: number;
  keyframe: boolean;
}

export interface IvfFile {
  fourcc: string;
  width: number;
  height: number;
  /** Timebase = timebaseNum / timebaseDen seconds per pts unit. */
  timebaseNum: number;
  timebaseDen: number;
  frames: IvfFrame[];
}

/** Parse an IVF container (VP8/VP9). Keyframe flag is computed for VP8 (bit 0 of byte 0 == 0). */
export function readIvf(file: Buffer): IvfFile {
  if (file.length < 32 || file.subarray(0, 4).toString() !== 'DKIF') throw new Error('ivf: bad signature');
  const headerLen = file.readUInt16LE(6);
  const fourcc = file.subarray(8, 12).toString();
  const width = file.readUInt16LE(12);
  const height = file.readUInt16LE(14);
  const timebaseDen = file.readUInt32LE(16);
  const timebaseNum = file.readUInt32LE(20);
  const frames: IvfFrame[] = [];
  let pos = headerLen;
  while (pos + 12 <= file.length) {
    const size = file.readUInt32LE(pos);
    const pts = Number(file.readBigUInt64LE(pos + 4));
    const start = pos + 12;
    if (start + size > file.length) throw new Error('ivf: truncated frame');
    const data = file.subarray(start, start + size);
    frames.push({ data, pts, keyframe: size > 0 && ((data[0] ?? 1) & 1) === 0 });
    pos = start + size;
  }
  return { fourcc, width, height, timebaseNum: timebaseNum || 1, timebaseDen: timebaseDen || 30, frames };
}
