/**
 * Shared helpers of the pipeline/storage e2e tests (test/e2e/pipeline-*.test.ts, storage-*.test.ts):
 * the service's S3 env for the test RGW, the recordings API, downloads, and synthetic media that
 * carries a known event (a 1 kHz beep and a white flash) at a chosen wall time.
 */
import { execFile } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { RecordingManifest } from '../../src/manifest/manifest.types';
import { decodeErrors as pipelineDecodeErrors } from '../../src/pipeline/media-check';
import { opusLoopSource, vp8LoopSource } from '../../src/media/loop-sources';
import type { LoopSource, PacedRtpSender } from '../../src/media/paced-rtp-sender';
import { packetizeVp8 } from '../../src/media/rtp-packetizer';
import type { RgwInfo } from '../support/rgw';

const run = promisify(execFile);

/** Service env for STORAGE_DRIVER=s3 against the test RGW. */
export function s3Env(info: RgwInfo, bucket: string): Record<string, string> {
  return {
    STORAGE_DRIVER: 's3',
    S3_ENDPOINT: info.endpoint,
    S3_REGION: info.region,
    S3_BUCKET: bucket,
    S3_ACCESS_KEY_ID: info.accessKeyId,
    S3_SECRET_ACCESS_KEY: info.secretAccessKey,
    S3_FORCE_PATH_STYLE: 'true',
    S3_CHECKSUM_MODE: 'WHEN_REQUIRED',
  };
}

/** Env common to every e2e service here (quiet logs, loopback ICE, 5 s segments, any port). */
export const BASE_ENV: Record<string, string> = {
  LOG_LEVEL: 'warn',
  ICE_LOOPBACK_ONLY: 'true',
  OUTBOUND_ALLOW: 'loopback',
  SEGMENT_SECONDS: '5',
  BOT_EMPTY_ROOM_TIMEOUT_MS: '5000',
  HTTP_PORT: '0',
  METRICS_ENABLED: 'false',
};

/** POST /v1/recordings; returns the id. */
export async function createRecording(api: string, body: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${api}/v1/recordings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status !== 201) throw new Error(`POST /v1/recordings: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

/** GET /v1/recordings/:id -> manifest (undefined while the API cannot answer). */
export async function getManifest(api: string, id: string): Promise<RecordingManifest | undefined> {
  try {
    const res = await fetch(`${api}/v1/recordings/${id}`, { signal: AbortSignal.timeout(10_000) });
    if (res.status !== 200) return undefined;
    return ((await res.json()) as { manifest: RecordingManifest }).manifest;
  } catch {
    return undefined;
  }
}

/** Poll the API every 500 ms until `done(manifest)`; throws after `timeoutMs` with the last status. */
export async function waitForManifest(
  api: string | (() => string),
  id: string,
  done: (m: RecordingManifest) => boolean,
  timeoutMs: number,
): Promise<RecordingManifest> {
  const end = Date.now() + timeoutMs;
  let last: RecordingManifest | undefined;
  for (;;) {
    const m = await getManifest(typeof api === 'function' ? api() : api, id);
    if (m) last = m;
    if (m && done(m)) return m;
    if (Date.now() > end) {
      throw new Error(`recording ${id}: condition not met in ${timeoutMs} ms (status ${last?.status}, history ${JSON.stringify(last?.statusHistory)})`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

export const isFinal = (m: RecordingManifest): boolean => m.status === 'completed' || m.status === 'failed';

/** Download an object to a local file. */
export async function download(client: S3Client, bucket: string, key: string, file: string): Promise<string> {
  const r = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  await pipeline(r.Body as Readable, createWriteStream(file));
  return file;
}

/** Every key in the bucket under `prefix`. */
export async function listKeys(client: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const r = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of r.Contents ?? []) if (o.Key) keys.push(o.Key);
    token = r.IsTruncated ? r.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/** Debugging aid: copy every object of a recording into `dir` (keeps the key layout). */
export async function dumpRecording(client: S3Client, bucket: string, id: string, dir: string): Promise<void> {
  for (const key of await listKeys(client, bucket, `recordings/${id}/`)) {
    const file = path.join(dir, key);
    mkdirSync(path.dirname(file), { recursive: true });
    await download(client, bucket, key, file);
  }
}

/** ffprobe: container duration (s) and sorted stream types. */
export async function probe(file: string): Promise<{ durationS: number; streams: string[] }> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type', '-of', 'json', file]);
  const j = JSON.parse(stdout) as { format: { duration: string }; streams: { codec_type: string }[] };
  return { durationS: Number(j.format.duration), streams: j.streams.map((s) => s.codec_type).sort() };
}

/**
 * ffmpeg decode errors of a file ('' when it decodes cleanly): the pipeline's own check, whose null
 * output keeps the file's time base. (A plain `-f null` gives the null muxer 1/guessed-frame-rate:
 * two frames closer than one nominal interval then collide and it logs "non monotonically
 * increasing dts" for a file that is fine; a CI run failed on exactly that.)
 */
export async function decodeErrors(file: string): Promise<string> {
  return (await pipelineDecodeErrors('ffmpeg', file)).join('\n');
}

// ---- media with a known event --------------------------------------------------------------

const AUDIO_FRAME_MS = 20;
const VIDEO_FRAME_MS = 1000 / 30;
/** Source files: 2 s, silence / dark grey, with the beep and the flash at 1.0-1.2 s. */
const EVENT_AT_S = 1;
export const EVENT_LEN_MS = 200;

/** Encode (once per dir) the event sources: Ogg/Opus 20 ms frames, IVF VP8 all keyframes 30 fps. */
export async function ensureEventMedia(dir: string): Promise<{ ogg: string; ivf: string }> {
  mkdirSync(dir, { recursive: true });
  const ogg = path.join(dir, 'event-audio.ogg');
  const ivf = path.join(dir, 'event-video.ivf');
  if (!existsSync(ogg)) {
    const expr = `if(between(t,${EVENT_AT_S},${EVENT_AT_S + EVENT_LEN_MS / 1000}),0.8*sin(2*PI*1000*t),0)`;
    await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `aevalsrc=exprs='${expr}':s=48000:d=2`, '-c:a', 'libopus', '-b:a', '32k', '-frame_duration', '20', '-f', 'ogg', `${ogg}.tmp`]);
    await run('mv', [`${ogg}.tmp`, ogg]);
  }
  if (!existsSync(ivf)) {
    const vf = `color=c=0x303030:s=320x240:r=30:d=2,drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='between(t,${EVENT_AT_S},${EVENT_AT_S + EVENT_LEN_MS / 1000 - 0.001})'`;
    await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', vf, '-c:v', 'libvpx', '-g', '1', '-keyint_min', '1', '-b:v', '400k', '-deadline', 'realtime', '-cpu-used', '8', '-threads', '1', '-f', 'ivf', `${ivf}.tmp`]);
    await run('mv', [`${ivf}.tmp`, ivf]);
  }
  return { ogg, ivf };
}

/** What one event participant actually sent: wall times (ms) of the first beep packet and flash frame. */
export interface SentEvent {
  beepWallMs?: number;
  flashWallMs?: number;
}

/**
 * Media for one SyntheticParticipant that is silent / dark grey except for a beep and a flash of
 * EVENT_LEN_MS starting at the first unit whose due time (the wall time its RTP timestamp stands
 * for) is >= `eventWallMs` (latched, so a stalled event loop delays the event but never skips it;
 * a stall > 500 ms makes the sender re-anchor its clock, and then `sent` no longer matches RTP time). Call `attach(participant.audio, participant.video)` once joined so
 * due times come from the senders' clocks; `sent` records what went out.
 */
export function eventSources(files: { ogg: string; ivf: string }, eventWallMs: number): {
  media: { audio: LoopSource; video: LoopSource };
  attach(audio: PacedRtpSender, video: PacedRtpSender): void;
  sent: SentEvent;
} {
  const audio = opusLoopSource(files.ogg);
  const video = vp8LoopSource(files.ivf);
  const senders: { audio?: PacedRtpSender; video?: PacedRtpSender } = {};
  const sent: SentEvent = {};
  /** Wall time of the unit being sent: the sender's due time (performance clock) mapped to Date.now(). */
  const dueWall = (s: PacedRtpSender | undefined): number => {
    const due = s ? (s as unknown as { dueMs(): number }).dueMs() : performance.now();
    return due + (Date.now() - performance.now());
  };
  const silentAudio = Math.floor((EVENT_AT_S * 1000 - 200) / AUDIO_FRAME_MS);
  const beepFirst = Math.round((EVENT_AT_S * 1000) / AUDIO_FRAME_MS);
  const darkVideo = Math.floor((EVENT_AT_S * 1000 - 200) / VIDEO_FRAME_MS);
  const flashFirst = Math.round((EVENT_AT_S * 1000) / VIDEO_FRAME_MS);
  const audioSource: LoopSource = {
    ...audio,
    packetize: (_unit, n) => {
      const due = dueWall(senders.audio);
      if (due >= eventWallMs) sent.beepWallMs ??= due;
      const t = sent.beepWallMs === undefined ? -1 : due - sent.beepWallMs;
      if (t >= 0 && t < EVENT_LEN_MS) return audio.units[beepFirst + Math.floor(t / AUDIO_FRAME_MS)]!.payloads;
      return audio.units[n % silentAudio]!.payloads;
    },
  };
  const videoSource: LoopSource = {
    ...video,
    packetize: (_unit, n) => {
      const due = dueWall(senders.video);
      if (due >= eventWallMs) sent.flashWallMs ??= due;
      const t = sent.flashWallMs === undefined ? -1 : due - sent.flashWallMs;
      const frame = t >= 0 && t < EVENT_LEN_MS ? video.units[flashFirst + Math.floor(t / VIDEO_FRAME_MS)]! : video.units[n % darkVideo]!;
      return packetizeVp8(frame.payloads[0] as Buffer, n);
    },
  };
  return {
    media: { audio: audioSource, video: videoSource },
    attach: (a, v) => {
      senders.audio = a;
      senders.video = v;
    },
    sent,
  };
}

// ---- a TCP proxy that can be cut (an S3 outage that only this test sees) -------------------

/** A loopback TCP proxy to `target`; `cut()` drops every connection and refuses new ones until `restore()`. */
export interface TcpProxy {
  port: number;
  url: string;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const net = await import('node:net');
  const sockets = new Set<import('node:net').Socket>();
  let down = false;
  const server = net.createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    cut: () => {
      down = true;
      for (const s of sockets) s.destroy();
    },
    restore: () => {
      down = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
