import { open } from 'node:fs/promises';

/** Read the duration of a PCM s16le mono 16 kHz WAV from its `data` chunk size. */
export async function wavDurationSec(path: string): Promise<number> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    let off = 12;
    while (off + 8 <= bytesRead) {
      const id = buf.toString('ascii', off, off + 4);
      const size = buf.readUInt32LE(off + 4);
      if (id === 'data') {
        const st = await fh.stat();
        // ffmpeg may leave the size unset when writing to a pipe; trust the file length then.
        const bytes = size === 0 || size === 0xffffffff ? st.size - off - 8 : Math.min(size, st.size - off - 8);
        return Math.max(0, bytes) / 32_000;
      }
      off += 8 + size + (size % 2);
    }
    return 0;
  } finally {
    await fh.close();
  }
}
