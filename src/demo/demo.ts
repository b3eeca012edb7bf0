import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { startService, type RunningService } from '../app/bootstrap';
import { requireAll } from '../common/binaries';
import type { RecordingManifest } from '../manifest/manifest.types';
import { ensurePatternVp8, ensureSpeechOpus } from '../media/media-cache';
import { opusLoopSource, vp8LoopSource } from '../media/loop-sources';
import { startSignalingServer, type SignalingServerHandle } from '../signaling-server/signaling-server';
import { fsStorageDir } from '../storage/storage.factory';
import { TestRoom } from '../testworld/synthetic/test-world';
import { outputTable, segmentTable } from './demo-table';

export interface DemoOptions {
  durationS: number;
  participants: number;
  env: Record<string, string | undefined>;
  out: (line: string) => void;
  /** Overall limit for recording + processing. */
  timeoutMs?: number;
}

export interface DemoResult {
  recordingId: string;
  manifest: RecordingManifest;
  transcript?: string;
}

/** What the demo's speakers say, in turns (each speaker is silent while the others speak). */
const SCRIPT: { name: string; voice: string; sentences: string[] }[] = [
  { name: 'Interviewer', voice: 'slt', sentences: ['Hello and welcome to the interview.', 'Please tell me about your last project.'] },
  { name: 'Candidate', voice: 'kal16', sentences: ['Thank you for having me today.', 'I built a recorder for video calls.'] },
  { name: 'Observer', voice: 'awb', sentences: ['I will take notes during this call.'] },
];
const TURN_S = 6;

/**
 * The README's first command: recbot on embedded defaults (embedded redis-server, fs storage,
 * offline transcription) records a local call of synthetic speakers through the reference
 * signaling server and its own HTTP API, then prints segments, outputs and the transcript.
 */
export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const env = {
    LOG_LEVEL: 'warn',
    ICE_LOOPBACK_ONLY: 'true',
    OUTBOUND_ALLOW: 'loopback',
    SEGMENT_SECONDS: '5',
    BOT_EMPTY_ROOM_TIMEOUT_MS: '5000',
    HTTP_PORT: '0',
    ...o.env,
  };
  // The demo's speakers talk with flite; say so now rather than after recbot has started.
  requireAll([{ name: 'flite', debianPackage: 'flite', why: "the demo's synthetic voices" }]);
  let svc: RunningService | undefined;
  let signal: SignalingServerHandle | undefined;
  let room: TestRoom | undefined;
  try {
    svc = await startService(env);
    mkdirSync(path.resolve(svc.config.WORK_DIR), { recursive: true });
    o.out(`recbot (APP_ROLE=${svc.config.APP_ROLE}) listening on ${svc.url}; embedded redis ${svc.redisUrl}; storage ${svc.config.STORAGE_DRIVER}`);
    signal = await startSignalingServer({});
    o.out(`reference signaling server on ${signal.url}`);

    room = new TestRoom(signal.url);
    const speakers = SCRIPT.slice(0, Math.max(1, Math.min(o.participants, SCRIPT.length)));
    const cacheDir = path.resolve(svc.config.WORK_DIR, 'media-cache');
    const video = vp8LoopSource(await ensurePatternVp8(cacheDir, { width: 320, height: 240, seconds: 6 }));
    for (const [i, s] of speakers.entries()) {
      const audioFile = await ensureSpeechOpus(cacheDir, s.sentences, {
        voice: s.voice,
        leadSilenceS: i * TURN_S,
        tailSilenceS: (speakers.length - 1 - i) * TURN_S + 1,
      });
      await room.participant(s.name, { host: i === 0, media: { audio: opusLoopSource(audioFile), video } });
    }
    o.out(`room ${room.roomId}: ${speakers.map((s) => s.name).join(', ')} joined`);

    const api = svc.url;
    const res = await fetch(`${api}/v1/recordings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(svc.config.API_TOKEN ? { authorization: `Bearer ${svc.config.API_TOKEN}` } : {}) },
      body: JSON.stringify({ signalingUrl: signal.url, roomId: room.roomId, maxDurationS: o.durationS }),
    });
    if (res.status !== 201) throw new Error(`POST /v1/recordings: ${res.status} ${await res.text()}`);
    const { id } = (await res.json()) as { id: string };
    o.out(`recording ${id} started for ${o.durationS} s (POST ${api}/v1/recordings)`);

    const manifest = await waitForEnd(api, id, o, () => room?.close());
    o.out('');
    o.out('Segments written per speaker and track:');
    o.out(segmentTable(manifest));
    o.out('');
    o.out(`Recording ${manifest.status}. Outputs:`);
    o.out(outputTable(manifest));
    let transcript: string | undefined;
    if (svc.config.STORAGE_DRIVER === 'fs' && manifest.outputs.some((x) => x.key.endsWith('transcript.txt'))) {
      const root = fsStorageDir(svc.config);
      transcript = await readFile(path.join(root, `recordings/${id}/transcript.txt`), 'utf8');
      o.out('');
      o.out('Transcript:');
      o.out(transcript.trimEnd());
      o.out('');
      o.out(`Files: ${path.join(root, 'recordings', id)}`);
    }
    return { recordingId: id, manifest, transcript };
  } finally {
    await room?.close().catch(() => undefined);
    await signal?.close().catch(() => undefined);
    await svc?.close().catch(() => undefined);
  }
}

async function waitForEnd(api: string, id: string, o: DemoOptions, onRecorded: () => Promise<void> | undefined): Promise<RecordingManifest> {
  const deadline = Date.now() + (o.timeoutMs ?? o.durationS * 1000 + 600_000);
  let last = '';
  let left = false;
  for (;;) {
    const r = await fetch(`${api}/v1/recordings/${id}`);
    const body = (await r.json()) as { manifest: RecordingManifest };
    const m = body.manifest;
    const line = `  status=${m.status} participants=${m.participants.length} tracks=${m.tracks.length} segments=${m.segments.length} uploaded=${m.segments.filter((s) => s.uploadedMs).length} outputs=${m.outputs.length}`;
    if (line !== last) o.out(line);
    last = line;
    if (!left && m.status === 'processing') {
      left = true;
      await onRecorded();
    }
    if (m.status === 'completed' || m.status === 'failed') return m;
    if (Date.now() > deadline) throw new Error(`recording ${id} did not finish in time (status ${m.status})`);
    await new Promise((res) => setTimeout(res, 1000));
  }
}
