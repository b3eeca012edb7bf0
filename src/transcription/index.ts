export * from './transcript.types';
export * from './transcript-merge';
export * from './transcriber';
export * from './transcription-endpoint';
export * from './transcription-retry';
export { startOfflineAsr, type OfflineAsrHandle, type OfflineAsrOptions } from './offline-asr/offline-asr.server';
