import type { RecordingManifest } from '../manifest/manifest.types';

/** How often a recorder that lost its job lock looks for the part that took the call over. */
export const TAKEOVER_POLL_MS = 2000;
/** How long the old part stays after the new one is listed when no track of the new one shows up. */
export const TAKEOVER_MEDIA_WAIT_MS = 15_000;

/** This run's part, as listed in the manifest. */
export interface PartId {
  part: number;
  botId: string;
}

/**
 * What a recorder does after it lost a running call's JoinCall lock (BullMQ then runs the job
 * again, here or elsewhere, as the next part). Leaving at once would leave the call unrecorded
 * until then, so the old part records on:
 *
 *   watching ──(a newer part is listed)──▶ newer-listed ──(it records a track)──▶ leave "taken over"
 *      │                                        └──(TAKEOVER_MEDIA_WAIT_MS without)──▶ leave "taken over (no media …)"
 *      └──(cap passes, in either state)──▶ leave "cap reached"
 *
 * Pure: the caller feeds it the time and the stored manifest at each poll.
 */
export class TakeoverWatch {
  private newerSinceMs: number | undefined;
  private readonly deadlineMs: number;

  constructor(startedMs: number, capMs: number, private readonly mediaWaitMs = TAKEOVER_MEDIA_WAIT_MS) {
    this.deadlineMs = startedMs + capMs;
  }

  get state(): 'watching' | 'newer-listed' {
    return this.newerSinceMs === undefined ? 'watching' : 'newer-listed';
  }

  /** One poll: undefined to keep recording, or why to leave now. */
  observe(nowMs: number, mine: PartId | undefined, m: RecordingManifest | undefined): string | undefined {
    const newer = m && mine ? m.parts.filter((p) => p.part > mine.part || (p.part === mine.part && p.botId !== mine.botId)) : [];
    if (m && newer.length > 0) {
      // The new part is listed when its session opens, before its bot is in the call: leave once
      // it records a track (or a while after it appeared, for a call without media).
      this.newerSinceMs ??= nowMs;
      if (m.tracks.some((t) => t.part > (mine?.part ?? 0) && newer.some((p) => p.part === t.part))) return 'taken over';
      if (nowMs - this.newerSinceMs > this.mediaWaitMs) return 'taken over (no media from the new part yet)';
    }
    return nowMs >= this.deadlineMs ? 'cap reached' : undefined;
  }
}

export interface TakeoverLoop {
  capMs: number;
  /** The stored manifest (undefined when it cannot be read right now). */
  load(): Promise<RecordingManifest | undefined>;
  mine(): PartId | undefined;
  /** False once the call ended, was stopped, or a re-delivery adopted it: stop watching. */
  stillLost(): boolean;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Poll until the watch says leave (its reason), or until the call no longer needs watching (undefined). */
export async function awaitTakeover(o: TakeoverLoop): Promise<string | undefined> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const watch = new TakeoverWatch(now(), o.capMs);
  while (o.stillLost()) {
    await sleep(TAKEOVER_POLL_MS);
    if (!o.stillLost()) return undefined;
    const why = watch.observe(now(), o.mine(), await o.load());
    if (why) return o.stillLost() ? why : undefined;
  }
  return undefined;
}
