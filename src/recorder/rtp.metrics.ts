import { Counter, Histogram } from 'prom-client';
import { metricsRegistry } from '../common/metrics';

/** RTP packets the recorder's jitter buffer gave up as lost (after waiting for NACK retransmissions). */
export const rtpPacketsLost = new Counter({
  name: 'recbot_rtp_packets_lost_total',
  help: 'Inbound RTP packets given up as lost by the recorder (not recovered in JITTER_BUFFER_MS)',
  labelNames: ['kind'] as const,
  registers: [metricsRegistry],
});

/** RTP packets that filled a sequence hole late (NACK/RTX retransmission or reordering). */
export const rtpPacketsRecovered = new Counter({
  name: 'recbot_rtp_packets_recovered_total',
  help: 'Inbound RTP packets that arrived late and filled a hole (NACK/RTX retransmission or reordering)',
  labelNames: ['kind'] as const,
  registers: [metricsRegistry],
});

/** Inbound RTP packets the recorder's jitter buffer received (before loss/duplicate handling). */
export const rtpPacketsReceived = new Counter({
  name: 'recbot_rtp_packets_received_total',
  help: 'Inbound RTP packets received by the recorder',
  labelNames: ['kind'] as const,
  registers: [metricsRegistry],
});

/** Keyframe requests (PLI, or FIR for peers without PLI) the recorder sent. */
export const rtpKeyframeRequests = new Counter({
  name: 'recbot_rtp_keyframe_requests_total',
  help: 'Keyframe requests (PLI/FIR) sent by the recorder',
  labelNames: ['kind'] as const,
  registers: [metricsRegistry],
});

/** Time from a segment's last frame to the segment being on disk and in the manifest. */
export const segmentCloseSeconds = new Histogram({
  name: 'recbot_segment_close_seconds',
  help: 'Segment close latency: mux, write, fsync and manifest update after the segment ended',
  labelNames: ['kind'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [metricsRegistry],
});
