/** One H.264 access unit of an Annex-B stream: its NAL units without start codes. */
export interface AccessUnit {
  nals: Buffer[];
  keyframe: boolean;
}

/** Split an Annex-B byte stream into NAL units (start codes 00 00 01 / 00 00 00 01 removed). */
export function splitAnnexB(stream: Buffer): Buffer[] {
  const starts: { at: number; len: number }[] = [];
  for (let i = 0; i + 2 < stream.length; i++) {
    if (stream[i] === 0 && stream[i + 1] === 0 && stream[i + 2] === 1) {
      const four = i > 0 && stream[i - 1] === 0;
      starts.push({ at: four ? i - 1 : i, len: four ? 4 : 3 });
      i += 2;
    }
  }
  return starts.map((s, k) => {
    const end = starts[k + 1]?.at ?? stream.length;
    return stream.subarray(s.at + s.len, end);
  }).filter((n) => n.length > 0);
}

/**
 * Group an Annex-B stream into access units at access unit delimiters (NAL type 9; x264 writes them
 * with `aud=1`). The delimiters themselves are dropped (RTP carries no AUD). Key = contains an IDR.
 */
export function readH264AccessUnits(stream: Buffer): AccessUnit[] {
  const out: AccessUnit[] = [];
  let cur: Buffer[] = [];
  const flush = (): void => {
    if (cur.length > 0) out.push({ nals: cur, keyframe: cur.some((n) => ((n[0] ?? 0) & 0x1f) === 5) });
    cur = [];
  };
  for (const nal of splitAnnexB(stream)) {
    if (((nal[0] ?? 0) & 0x1f) === 9) flush();
    else cur.push(nal);
  }
  flush();
  return out;
}
