import path from 'node:path';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, STORAGE } from '../app/tokens';
import { createLogger } from '../common/logger';
import type { AppConfig } from '../config/config.schema';
import { JobHandlerRegistry } from '../jobs/job-handler.registry';
import { JobRepository } from '../jobs/job.repository';
import { JobName, QueueName } from '../jobs/job.types';
import { CallControl } from '../recordings/call-control';
import { deletedRecordingGuard } from './deleted-recording-guard';
import { StorageManifestRepository } from '../manifest/manifest-repository';
import { createPipelineServices } from '../pipeline/pipeline.factory';
import { registerPipelineHandlers } from '../pipeline/pipeline.handlers';
import type { StorageDriver } from '../storage/storage.types';
import { Transcriber } from '../transcription/transcriber';
import { resolveTranscriptionEndpoint, transcriberOptionsFromConfig, type ResolvedTranscriptionEndpoint } from '../transcription/transcription-endpoint';
import { registerTranscriptionHandlers } from '../transcription/transcription.handlers';
import { TranscriptionService } from '../transcription/transcription.service';
import { WebhookSender } from '../webhooks/webhook-sender';
import { outboundPolicyFrom } from '../security/outbound-policy';
import { manifestWebhookDeps, registerWebhookHandlers } from '../webhooks/webhook.handlers';

/** The queues a worker consumes: the whole post-call flow. */
export const WORKER_QUEUES = [QueueName.Media, QueueName.Transcripts, QueueName.Publish, QueueName.Webhooks] as const;

/**
 * The worker role: registers the post-call job handlers (mux, mix, transcribe, merge, publish,
 * webhooks) and starts BullMQ workers for their queues. Start-up fails if a job has no handler.
 */
@Injectable()
export class WorkerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = createLogger({ component: 'worker' });
  private endpoint?: ResolvedTranscriptionEndpoint;
  private transcriber?: Transcriber;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STORAGE) private readonly storage: StorageDriver,
    private readonly jobs: JobRepository,
    private readonly registry: JobHandlerRegistry,
    private readonly control: CallControl,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const c = this.config;
    const manifests = new StorageManifestRepository(this.storage, (id) => this.jobs.add({ name: JobName.Webhook, data: { recordingId: id, event: 'recording.failed' } }).then(() => undefined));
    registerPipelineHandlers(this.registry, createPipelineServices(c, this.storage, manifests));

    this.endpoint = await resolveTranscriptionEndpoint(c, this.log);
    const scratch = path.resolve(c.WORK_DIR, 'scratch', 'transcribe');
    this.transcriber = new Transcriber(transcriberOptionsFromConfig(c, this.endpoint, scratch));
    const transcription = new TranscriptionService({
      storage: this.storage,
      loadManifest: (id) => manifests.load(id),
      transcriber: this.transcriber,
      workDir: scratch,
    });
    registerTranscriptionHandlers(this.registry, {
      transcription,
      onTranscriptMerged: async (recordingId) => {
        await this.jobs.add({ name: JobName.Webhook, data: { recordingId, event: 'transcript.completed' } });
      },
    });

    const sender = new WebhookSender({ timeoutMs: c.WEBHOOK_TIMEOUT_MS, outbound: outboundPolicyFrom(c.OUTBOUND_ALLOW) });
    registerWebhookHandlers(this.registry, manifestWebhookDeps(manifests, { sender, endpoints: c.WEBHOOK_ENDPOINTS }));

    this.registry.use(deletedRecordingGuard({ control: this.control, storage: this.storage, log: this.log }));
    this.jobs.startWorkers(this.registry, {
      queues: WORKER_QUEUES,
      onFinalFailure: (job) => this.onFinalFailure(manifests, job),
      concurrency: {
        [QueueName.Media]: c.MEDIA_CONCURRENCY,
        [QueueName.Transcripts]: 1,
        [QueueName.Publish]: 2,
        [QueueName.Webhooks]: 4,
      },
    });
    this.log.info({ queues: WORKER_QUEUES, transcription: this.endpoint.offline ? 'offline' : 'api' }, 'worker started');
  }

  /** A post-call job failed for good: the recording fails (once) and `recording.failed` is sent. */
  private async onFinalFailure(manifests: StorageManifestRepository, job: { name: JobName; data: unknown; error: string }): Promise<void> {
    if (job.name === JobName.Webhook) return;
    const recordingId = (job.data as { recordingId?: unknown }).recordingId;
    if (typeof recordingId !== 'string') return;
    if (await this.control.isDeleted(recordingId)) return;
    if (await manifests.fail(recordingId, `${job.name}: ${job.error}`)) this.log.warn({ recordingId, job: job.name }, 'recording failed');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.jobs.close();
    await this.transcriber?.close();
    await this.endpoint?.close();
  }
}
