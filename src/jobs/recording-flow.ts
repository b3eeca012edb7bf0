import type { FlowJob } from 'bullmq';
import { jobId } from './job-ids';
import { jobOptions, DEFAULT_RETRY, type RetryPolicy } from './job-options';
import { JOB_QUEUE, JobName, type JobItem, type QueueName } from './job.types';

/** One speaker of a recording, as the flow needs it. */
export interface FlowSpeaker {
  participantId: string;
  /** Final object key of the speaker's muxed file (input of TranscribeSpeaker). */
  mediaKey: string;
}

export interface RecordingFlowOptions {
  transcribe: boolean;
  mix: boolean;
  retry?: Readonly<Record<QueueName, RetryPolicy>>;
}

/**
 * The post-call flow of one recording (BullMQ runs children first):
 * Webhook(recording.completed) <- Publish <- [ MixAudio, MergeTranscript <- TranscribeSpeaker_i <- MuxSpeaker_i ]
 * (without transcription: Publish <- [ MixAudio, MuxSpeaker_i ... ]). Every id is deterministic,
 * so adding the flow twice does not duplicate work. A child that fails for good fails its parent.
 */
export function buildRecordingFlow(recordingId: string, speakers: readonly FlowSpeaker[], opts: RecordingFlowOptions): FlowJob {
  const retry = opts.retry ?? DEFAULT_RETRY;
  const node = (item: JobItem, children?: FlowJob[], isChild = true): FlowJob => {
    const queue = JOB_QUEUE[item.name];
    return {
      name: item.name,
      queueName: queue,
      data: item.data,
      opts: { ...jobOptions(queue, jobId(item), retry), ...(isChild ? { failParentOnFailure: true } : {}) },
      ...(children && children.length > 0 ? { children } : {}),
    };
  };
  const mux = (s: FlowSpeaker) => node({ name: JobName.MuxSpeaker, data: { recordingId, participantId: s.participantId } });
  const publishChildren: FlowJob[] = [];
  if (opts.mix && speakers.length > 0) publishChildren.push(node({ name: JobName.MixAudio, data: { recordingId } }));
  if (opts.transcribe) {
    const transcribes = speakers.map((s) =>
      node({ name: JobName.TranscribeSpeaker, data: { recordingId, participantId: s.participantId, mediaKey: s.mediaKey } }, [mux(s)]),
    );
    publishChildren.push(node({ name: JobName.MergeTranscript, data: { recordingId } }, transcribes));
  } else {
    publishChildren.push(...speakers.map(mux));
  }
  const publish = node({ name: JobName.Publish, data: { recordingId } }, publishChildren);
  return node({ name: JobName.Webhook, data: { recordingId, event: 'recording.completed' } }, [publish], false);
}
