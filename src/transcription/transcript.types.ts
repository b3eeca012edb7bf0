/** One recognised word; times in seconds on the session clock (or the file, before shifting). */
export interface TranscriptWord {
  word: string;
  start: number;
  end: number;
}

/** One stretch of speech by one speaker (a Whisper segment, shifted onto the session clock). */
export interface Utterance {
  speakerId: string;
  speakerName: string;
  start: number;
  end: number;
  text: string;
  words: TranscriptWord[];
}

/** The transcription of one speaker's audio file. */
export interface SpeakerTranscript {
  speakerId: string;
  speakerName: string;
  /** Language reported by the endpoint (e.g. 'english'), when any. */
  language?: string;
  utterances: Utterance[];
  /** Chunks sent to the endpoint (silent stretches are never sent). */
  chunksSent: number;
  /** The chunks sent: span in the speaker file (s) and encoded size (bytes). */
  chunks?: { start: number; end: number; bytes: number }[];
}

/** The merged transcript (transcript.json). */
export interface Transcript {
  version: 1;
  recordingId?: string;
  language?: string;
  speakers: { speakerId: string; speakerName: string }[];
  /** All speakers' utterances ordered by start time; overlapping speech stays separate. */
  utterances: Utterance[];
}
