/**
 * Object keys of the pipeline's inputs and outputs (design.md "Object layout"). Deterministic, so
 * a retried job writes to the same key.
 */
export const pipelineKeys = {
  prefix: (recordingId: string) => `recordings/${recordingId}/`,
  manifest: (recordingId: string) => `recordings/${recordingId}/manifest.json`,
  segment: (recordingId: string, participantId: string, trackKey: string, seq: number, container = 'webm') =>
    `recordings/${recordingId}/segments/${participantId}/${trackKey}/${String(seq).padStart(6, '0')}.${container}`,
  segmentsPrefix: (recordingId: string) => `recordings/${recordingId}/segments/`,
  speaker: (recordingId: string, participantId: string, container: OutputContainer) =>
    `recordings/${recordingId}/speakers/${participantId}.${container}`,
  speakerMp4: (recordingId: string, participantId: string) => `recordings/${recordingId}/speakers/${participantId}.mp4`,
  mix: (recordingId: string) => `recordings/${recordingId}/mix.webm`,
  transcriptPrefix: (recordingId: string) => `recordings/${recordingId}/transcript.`,
};

export type OutputContainer = 'webm' | 'mkv';
