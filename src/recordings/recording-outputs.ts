import type { ManifestOutput, RecordingManifest } from '../manifest/manifest.types';
import { storageKeys } from '../storage/storage-keys';

/** An output as the API lists it: its name (the part of the key after `recordings/{id}/`) and where to fetch it. */
export interface OutputView {
  name: string;
  kind: ManifestOutput['kind'];
  participantId?: string;
  size: number;
  md5: string;
  durationMs?: number;
  format?: string;
  createdMs: number;
  /** Path of GET /v1/recordings/{id}/outputs/{name}. */
  url: string;
}

/** The name of an output within its recording (`speakers/p1.webm`, `mix.webm`, `transcript.vtt`). */
export function outputName(recordingId: string, key: string): string {
  const prefix = storageKeys.recordingPrefix(recordingId);
  return key.startsWith(prefix) ? key.slice(prefix.length) : key;
}

/** Every published output of a recording, with its download path. */
export function outputViews(m: RecordingManifest): OutputView[] {
  return m.outputs.map((o) => {
    const name = outputName(m.recordingId, o.key);
    return {
      name, kind: o.kind, participantId: o.participantId, size: o.size, md5: o.md5, durationMs: o.durationMs, format: o.format,
      createdMs: o.createdMs, url: `/v1/recordings/${encodeURIComponent(m.recordingId)}/outputs/${name.split('/').map(encodeURIComponent).join('/')}`,
    };
  });
}

/** The published output called `name`, or undefined: only outputs listed in the manifest can be fetched (never staging segments). */
export function findOutput(m: RecordingManifest, name: string): ManifestOutput | undefined {
  return m.outputs.find((o) => outputName(m.recordingId, o.key) === name);
}
