import { Controller, Get, Query } from '@nestjs/common';
import type { RecordingManifest } from '../manifest/manifest.types';
import { RecordingIndex, decodeCursor, encodeCursor, type ListCursor } from './recording-index';
import { inCreatedRange, matchesFilters, parseListQuery } from './recording-list';
import { outputViews, type OutputView } from './recording-outputs';
import { RecordingsService } from './recordings.service';

/** One recording in a listing (the manifest itself is GET /v1/recordings/:id). */
export interface RecordingSummary {
  id: string;
  status: RecordingManifest['status'];
  roomId: string;
  createdMs: number;
  endedMs?: number;
  participants: number;
  metadata: Record<string, unknown>;
  outputs: OutputView[];
}

/** Index entries scanned per request at most (filters may skip many); the cursor continues from there. */
const SCAN_LIMIT = 500;

/** GET /v1/recordings: newest first, filtered, cursor-paginated. */
@Controller('v1/recordings')
export class RecordingsListController {
  constructor(
    private readonly recordings: RecordingsService,
    private readonly index: RecordingIndex,
  ) {}

  @Get()
  async list(@Query() query: unknown): Promise<{ items: RecordingSummary[]; nextCursor: string | null }> {
    const q = parseListQuery(query);
    const limit = q.limit ?? 20;
    let cursor: ListCursor | undefined = q.cursor ? decodeCursor(q.cursor) : undefined;
    if (!cursor && q.createdBefore !== undefined) cursor = { createdMs: q.createdBefore, id: '' };
    const items: RecordingSummary[] = [];
    let scanned = 0;
    while (items.length < limit && scanned < SCAN_LIMIT) {
      const batch = await this.index.page(cursor, Math.min(100, SCAN_LIMIT - scanned));
      if (batch.length === 0) return { items, nextCursor: null };
      for (const e of batch) {
        scanned++;
        cursor = e;
        if (q.createdAfter !== undefined && e.createdMs < q.createdAfter) return { items, nextCursor: null };
        if (!inCreatedRange(e.createdMs, q)) continue;
        const m = await this.recordings.findManifest(e.id);
        if (!m || !matchesFilters(m, q)) continue;
        items.push(summary(m, e.createdMs));
        if (items.length === limit) break;
      }
    }
    return { items, nextCursor: cursor ? encodeCursor(cursor) : null };
  }
}

function summary(m: RecordingManifest, createdMs: number): RecordingSummary {
  return {
    id: m.recordingId, status: m.status, roomId: m.roomId, createdMs, endedMs: m.sessionEndMs, participants: m.participants.length,
    metadata: (m.options?.metadata ?? {}) as Record<string, unknown>, outputs: outputViews(m),
  };
}
