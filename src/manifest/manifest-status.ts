import type { RecordingManifest, RecordingStatus } from './manifest.types';

/**
 * The one set of rules for a recording's status (pure, unit-tested in manifest-status.spec.ts).
 *
 *   pending ─▶ joining ─▶ recording ─▶ processing ─▶ completed
 *      └──────────┴───────────┴────────────┴─▶ failed        (any state before an end)
 *   failed ─▶ completed    (a post-call job retried by hand, `recbot jobs retry`, published after all)
 *   every state except deleted ─▶ deleted
 *
 * Forward moves may skip states (a bot that never got media goes recording ─▶ processing; a
 * recording created and stopped before a recorder took it goes pending ─▶ processing). A move to
 * the current state is a no-op. Nothing moves back: an ended recording never records again.
 */

/** Statuses after which a call is over: a JoinCall for them never rejoins. */
export const ENDED_STATUSES: ReadonlySet<RecordingStatus> = new Set(['processing', 'completed', 'failed', 'deleted']);
/** Statuses nothing moves out of (except to `deleted`). */
export const TERMINAL_STATUSES: ReadonlySet<RecordingStatus> = new Set(['completed', 'failed', 'deleted']);

const FORWARD: readonly RecordingStatus[] = ['pending', 'joining', 'recording', 'processing', 'completed'];

/** What happened to a recording; each event names the status it moves to. */
export interface StatusEvent {
  to: RecordingStatus;
  atMs: number;
  reason?: string;
}

export type TransitionResult =
  | { ok: true; changed: boolean; manifest: RecordingManifest }
  | { ok: false; from: RecordingStatus; to: RecordingStatus };

/** Whether a recording in `from` may move to `to` (a move to the same state counts as allowed). */
export function canMove(from: RecordingStatus, to: RecordingStatus): boolean {
  if (from === to) return true;
  if (to === 'deleted') return true;
  if (from === 'failed' && to === 'completed') return true;
  if (TERMINAL_STATUSES.has(from)) return false;
  if (to === 'failed') return true;
  return FORWARD.indexOf(to) > FORWARD.indexOf(from);
}

/**
 * Apply a status event: a new manifest with the status, one history entry and (entering
 * `processing`) the session end; the input is not changed. An illegal move returns `ok: false`.
 */
export function transition(m: RecordingManifest, e: StatusEvent): TransitionResult {
  if (!canMove(m.status, e.to)) return { ok: false, from: m.status, to: e.to };
  if (m.status === e.to) return { ok: true, changed: false, manifest: m };
  const manifest: RecordingManifest = {
    ...m,
    status: e.to,
    statusHistory: [...m.statusHistory, { status: e.to, atMs: e.atMs, ...(e.reason !== undefined ? { reason: e.reason } : {}) }],
  };
  if (e.to === 'processing' && manifest.sessionEndMs === undefined) manifest.sessionEndMs = e.atMs;
  return { ok: true, changed: true, manifest };
}

/** Longest failure reason kept in the status history. */
export const FAIL_REASON_MAX = 500;

/** The `failed` event with its reason cut to FAIL_REASON_MAX. */
export function failEvent(reason: string, atMs: number): StatusEvent {
  return { to: 'failed', atMs, reason: reason.slice(0, FAIL_REASON_MAX) };
}
