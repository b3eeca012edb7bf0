// Drives one call against a running recbot (the image's, started by scripts/image-test.sh): the
// reference signaling server and one synthetic participant from this checkout's build (the test world
// is not in the image), POST /v1/recordings, wait for the end, then check the outputs decode.
// Usage: node scripts/image-call.js <recbot URL> <STORAGE_FS_DIR of that recbot>
'use strict';
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const dist = path.join(__dirname, '../dist');
const { startSignalingServer } = require(path.join(dist, 'signaling-server/signaling-server.js'));
const { TestRoom } = require(path.join(dist, 'testworld/synthetic/test-world.js'));

async function main() {
  const [api, storeDir] = process.argv.slice(2);
  const signal = await startSignalingServer({});
  const room = new TestRoom(signal.url);
  try {
    await room.participant('Imogen', { host: true });
    const res = await fetch(`${api}/v1/recordings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ signalingUrl: signal.url, roomId: room.roomId, maxDurationS: 10 }),
    });
    if (res.status !== 201) throw new Error(`POST /v1/recordings: ${res.status} ${await res.text()}`);
    const { id } = await res.json();
    const deadline = Date.now() + 240_000;
    let m;
    for (;;) {
      m = (await (await fetch(`${api}/v1/recordings/${id}`)).json()).manifest;
      if (m && (m.status === 'completed' || m.status === 'failed')) break;
      if (Date.now() > deadline) throw new Error(`recording ${id} not finished: ${m && m.status}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    console.log(`[image-call] recording ${id} ${m.status}: ${m.segments.length} segments, outputs ${m.outputs.map((o) => o.key.split('/').pop()).join(', ')}`);
    if (m.status !== 'completed') throw new Error(`recording ${m.status}`);
    const media = m.outputs.filter((o) => /\.(webm|mp4|m4a|ogg)$/.test(o.key));
    if (media.length === 0) throw new Error('no media output');
    for (const o of media) {
      const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', path.join(storeDir, o.key)]).toString().trim();
      if (!(Number(out) > 5)) throw new Error(`${o.key}: duration ${out}`);
      console.log(`[image-call] ${o.key.split('/').pop()} decodes, ${Number(out).toFixed(1)} s`);
    }
    if (!m.outputs.some((o) => o.key.endsWith('transcript.json') || o.key.endsWith('transcript.txt'))) throw new Error('no transcript output (pocketsphinx in the image)');
  } finally {
    await room.close().catch(() => undefined);
    await signal.close().catch(() => undefined);
  }
}
main().then(() => process.exit(0), (err) => { console.error(`[image-call] FAILED: ${err && err.stack || err}`); process.exit(1); });
