import { UnrecoverableError } from 'bullmq';
import { RecbotError } from '../common/errors';
import { idOf, jobId } from './job-ids';
import { JobHandlerRegistry } from './job-handler.registry';
import { toBullError } from './job.errors';
import { JOB_QUEUE, JobName, QueueName } from './job.types';
import { buildRecordingFlow } from './recording-flow';

describe('job ids', () => {
  it('are deterministic and BullMQ-safe (no colon)', () => {
    const a = jobId({ name: JobName.MuxSpeaker, data: { recordingId: 'r1', participantId: 'p:1' } });
    expect(a).toBe(jobId({ name: JobName.MuxSpeaker, data: { recordingId: 'r1', participantId: 'p:1' } }));
    expect(a).toBe('mux.r1.p%3A1');
    expect(a).not.toContain(':');
  });
  it('never collide across part boundaries', () => {
    expect(idOf('mux', 'a.b', 'c')).not.toBe(idOf('mux', 'a', 'b.c'));
  });
  it('covers every job name', () => {
    for (const n of Object.values(JobName)) expect(JOB_QUEUE[n]).toBeDefined();
  });
});

describe('toBullError', () => {
  it('turns non-retryable RecbotError into UnrecoverableError', () => {
    expect(toBullError(new RecbotError('BAD_REQUEST', 'bad'))).toBeInstanceOf(UnrecoverableError);
  });
  it('keeps retryable errors retryable', () => {
    const e = new RecbotError('STORAGE_UNAVAILABLE', 'net', { retryable: true });
    expect(toBullError(e)).toBe(e);
    expect(toBullError('x')).not.toBeInstanceOf(UnrecoverableError);
  });
});

describe('JobHandlerRegistry', () => {
  it('fails start-up when a consumed job has no handler', () => {
    const r = new JobHandlerRegistry().register(JobName.MuxSpeaker, async () => null);
    expect(() => r.assertComplete([QueueName.Media])).toThrow(/MixAudio/);
    r.register(JobName.MixAudio, async () => null);
    expect(() => r.assertComplete([QueueName.Media])).not.toThrow();
    expect(() => r.register(JobName.MixAudio, async () => null)).toThrow(/twice/);
  });
});

describe('buildRecordingFlow', () => {
  const speakers = [
    { participantId: 'a', mediaKey: 'recordings/r/speakers/a.webm' },
    { participantId: 'b', mediaKey: 'recordings/r/speakers/b.webm' },
  ];
  it('runs mux -> transcribe -> merge -> publish -> webhook', () => {
    const root = buildRecordingFlow('r', speakers, { transcribe: true, mix: true });
    expect(root.name).toBe(JobName.Webhook);
    expect(root.opts?.jobId).toBe('webhook.r.recording%2Ecompleted');
    const publish = root.children?.[0];
    expect(publish?.name).toBe(JobName.Publish);
    const names = publish?.children?.map((c) => c.name);
    expect(names).toEqual([JobName.MixAudio, JobName.MergeTranscript]);
    const merge = publish?.children?.[1];
    expect(merge?.children?.map((c) => c.children?.[0]?.opts?.jobId)).toEqual(['mux.r.a', 'mux.r.b']);
    expect(merge?.children?.[0]?.opts?.failParentOnFailure).toBe(true);
    expect(merge?.children?.[0]?.opts?.attempts).toBeGreaterThan(1);
    expect(merge?.children?.[0]?.opts?.backoff).toEqual(expect.objectContaining({ type: 'exponential' }));
  });
  it('without transcription muxes directly under publish', () => {
    const root = buildRecordingFlow('r', speakers, { transcribe: false, mix: false });
    expect(root.children?.[0]?.children?.map((c) => c.name)).toEqual([JobName.MuxSpeaker, JobName.MuxSpeaker]);
  });
});

describe('parsePayload', () => {
  it('accepts a valid payload and rejects a bad one as non-retryable', () => {
    const { parsePayload } = jest.requireActual<typeof import('./job.schemas')>('./job.schemas');
    expect(parsePayload(JobName.MuxSpeaker, { recordingId: 'r', participantId: 'p' })).toEqual({ recordingId: 'r', participantId: 'p' });
    let err: unknown;
    try {
      parsePayload(JobName.MuxSpeaker, { recordingId: 'r' });
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'JOB_PAYLOAD_INVALID', retryable: false });
    expect(toBullError(err)).toBeInstanceOf(UnrecoverableError);
  });
});
