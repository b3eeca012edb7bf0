/**
 * A benchmark sender process: synthetic participants (werift, Opus speech + VP8 pattern) in the
 * bench room. They never call each other (no host): the benchmark asks the recorder bot to call
 * each of them, so the only peer connections are participant <-> recorder.
 * Started by bench.ts with fork(); options as JSON in argv[2]; talks over IPC (bench-ipc.ts).
 */
import { loopbackOnlyPeerConfig } from '../bot/peer-config';
import { initLogger } from '../common/logger';
import { SyntheticParticipant } from '../testworld/synthetic/synthetic-participant';
import { DEFAULT_SENTENCES, loadSyntheticMedia } from '../testworld/synthetic/synthetic-media';
import { waitFor } from '../testworld/synthetic/test-world';
import { isTyped, type SenderChildMessage, type SenderChildOptions } from './bench-ipc';

function send(m: SenderChildMessage): void {
  process.send?.(m);
}

async function main(): Promise<void> {
  const o = JSON.parse(process.argv[2] ?? '{}') as SenderChildOptions;
  initLogger({ level: 'error', pretty: false });
  const media = await loadSyntheticMedia(o.cacheDir, DEFAULT_SENTENCES, { width: 640, height: 360, seconds: 10, bitrateKbps: o.videoKbps });
  const people = o.names.map((name) => new SyntheticParticipant({
    url: o.url, roomId: o.roomId, name, media, calleeOffers: true, peerConfigOverrides: loopbackOnlyPeerConfig(),
  }));
  await Promise.all(people.map((p) => p.join()));
  await waitFor(() => people.every((p) => p.signaling.participants().some((r) => r.id === o.botId)), 30_000, 'participants to see the recorder');
  send({ type: 'ready', ids: people.map((p) => p.id) });

  process.on('message', (m: unknown) => {
    if (!isTyped(m)) return;
    if (m.type === 'status') {
      send({
        type: 'status', joined: people.length,
        connected: people.filter((p) => Object.values(p.peerStates()).includes('connected')).length,
        // only participants connected to the recorder: packets written before that go nowhere
        packetsSent: Object.fromEntries(people.filter((p) => Object.values(p.peerStates()).includes('connected')).map((p) => [p.id, p.audio.stats.packetsSent + p.video.stats.packetsSent])),
      });
    } else if (m.type === 'stop') {
      void Promise.all(people.map((p) => p.leave())).finally(() => process.exit(0));
    }
  });
}

main().catch((err: unknown) => {
  send({ type: 'error', message: err instanceof Error ? err.stack ?? err.message : String(err) });
  setTimeout(() => process.exit(1), 200);
});
