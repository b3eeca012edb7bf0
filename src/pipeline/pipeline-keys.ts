import { assertSafeId, storageKeys } from '../storage/storage-keys';

export type OutputContainer = 'webm' | 'mkv';

/**
 * Object keys of the pipeline's inputs and outputs (design.md "Object layout"), built on the
 * storage feature's validated `storageKeys`, plus the container-aware variants it lacks (H264
 * segments and speaker files are Matroska: `.mkv`). Deterministic, so a retried job writes to the same key.
 */
export const pipelineKeys = {
  prefix: (recordingId: string) => storageKeys.recordingPrefix(recordingId),
  manifest: (recordingId: string) => storageKeys.manifest(recordingId),
  segment: (recordingId: string, participantId: string, trackKey: string, seq: number, container = 'webm') => {
    const key = storageKeys.segment(recordingId, participantId, trackKey, seq);
    return container === 'webm' ? key : key.replace(/\.webm$/, `.${assertSafeId('container', container)}`);
  },
  segmentsPrefix: (recordingId: string) => storageKeys.segmentsPrefix(recordingId),
  speaker: (recordingId: string, participantId: string, container: OutputContainer) =>
    container === 'webm' ? storageKeys.speaker(recordingId, participantId) : storageKeys.speaker(recordingId, participantId).replace(/\.webm$/, '.mkv'),
  speakerMp4: (recordingId: string, participantId: string) => storageKeys.speaker(recordingId, participantId).replace(/\.webm$/, '.mp4'),
  mix: (recordingId: string) => storageKeys.mix(recordingId),
  transcriptPrefix: (recordingId: string) => `${storageKeys.recordingPrefix(recordingId)}transcript.`,
  transcriptPartsPrefix: (recordingId: string) => storageKeys.transcriptPartsPrefix(recordingId),
};
