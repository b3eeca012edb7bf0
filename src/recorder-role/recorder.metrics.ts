import { Counter, Gauge } from 'prom-client';
import { metricsRegistry } from '../common/metrics';
import { registerUploaderMetrics, type SegmentUploader } from './upload-lane';
import type { DiskGuard } from '../recorder/disk-guard';

let registered = false;

/** Seconds participants spent in a call without being recorded (not-connected/negotiating), all calls. */
export const notRecordedSeconds = new Counter({
  name: 'recbot_participant_not_recorded_seconds_total',
  help: 'Time participants were in the call but not recorded (no call with the bot, or no media yet), summed over participants',
  registers: [metricsRegistry],
});

/** Recorder gauges on the process registry (registered once per process). */
export function recorderMetrics(src: { calls: () => number; notRecorded: () => number; uploader: SegmentUploader; diskGuard?: DiskGuard; maxCalls: number }): void {
  if (registered) return;
  registered = true;
  registerUploaderMetrics(metricsRegistry);
  new Gauge({ name: 'recbot_recorder_calls_active', help: 'Calls this recorder is running', registers: [metricsRegistry], collect() { this.set(src.calls()); } });
  new Gauge({ name: 'recbot_participants_not_recorded', help: 'Participants in a call right now whose media is not being recorded (no call with the bot, or no media yet)', registers: [metricsRegistry], collect() { this.set(src.notRecorded()); } });
  new Gauge({ name: 'recbot_recorder_capacity_calls', help: 'RECORDER_MAX_CALLS', registers: [metricsRegistry], collect() { this.set(src.maxCalls); } });
  new Gauge({ name: 'recbot_disk_free_bytes', help: 'Free bytes on the spool file system', registers: [metricsRegistry], collect() { const mb = src.diskGuard?.freeMb ?? NaN; this.set(Number.isFinite(mb) ? mb * 1024 * 1024 : 0); } });
  new Gauge({ name: 'recbot_disk_low', help: '1 when free space is below DISK_MIN_FREE_MB (no new calls taken)', registers: [metricsRegistry], collect() { this.set(src.diskGuard?.isFull() ? 1 : 0); } });
}
