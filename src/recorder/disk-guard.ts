import { promises as fsp } from 'fs';

/**
 * Watches free space of the spool's file system (fs.statfs). Below `minFreeMb` it reports full:
 * the recorder then refuses new calls. Checks run on a timer, never on the media path.
 */
export class DiskGuard {
  freeMb = Infinity;
  private timer: NodeJS.Timeout | undefined;
  private lastError: Error | undefined;

  constructor(private readonly dir: string, private readonly minFreeMb: number, private readonly intervalMs = 5000) {}

  /** Check once now, then every intervalMs. */
  async start(): Promise<void> {
    await fsp.mkdir(this.dir, { recursive: true });
    await this.check();
    if (!this.timer) {
      this.timer = setInterval(() => void this.check(), this.intervalMs);
      this.timer.unref();
    }
  }

  async check(): Promise<number> {
    try {
      const s = await fsp.statfs(this.dir);
      this.freeMb = (s.bavail * s.bsize) / (1024 * 1024);
      this.lastError = undefined;
    } catch (e) {
      this.lastError = e as Error;
    }
    return this.freeMb;
  }

  /** True when free space is below the minimum (or the last check failed). */
  isFull(): boolean {
    return this.lastError !== undefined || this.freeMb < this.minFreeMb;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
