import { Counter } from 'prom-client';
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
