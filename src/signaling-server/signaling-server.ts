import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Server, type Socket } from 'socket.io';
import { createLogger } from '../common/logger';
import { serveStatic } from './static-files';

/** One ICE server entry as the app's `/api/webrtc-config` hands it out. */
export interface IceServerEntry {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** The body of `GET /api/webrtc-config` (and the `config` of CALLING in real clients). */
export interface WebrtcConfig {
  stun: IceServerEntry[];
  turn: IceServerEntry[];
  icePolicy: 'all' | 'relay';
}

/** Options of {@link startSignalingServer}. */
export interface SignalingServerOptions {
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** TCP port; default 0 (a free port). */
  port?: number;
  /** socket.io path; default `/socket.io`. */
  path?: string;
  /** Served at `GET /api/webrtc-config`; default no STUN/TURN and policy 'all' (never a public server). */
  webrtcConfig?: Partial<WebrtcConfig>;
  /** Directory served under `/testworld/`; default the browser participant page of this repo. */
  staticDir?: string;
  /** Engine.IO transports the server accepts; default both (some app servers only poll). */
  transports?: ('polling' | 'websocket')[];
  /** socket.io `maxHttpBufferSize` in bytes; default 1 MB. */
  maxPayloadBytes?: number;
  /** Test tap: sees every received `message` event (before relay). */
  onMessage?: (ev: RelayEvent) => void;
  /** Test fault injection: return false to drop a received `message` event instead of relaying it. */
  filter?: (ev: RelayEvent) => boolean;
}

/** A `message` event as the server received it. */
export interface RelayEvent {
  roomId: string;
  /** The sender's handshake participantId (not the payload's fromId, which is never checked). */
  participantId: string;
  data: unknown;
}

/** Counters of a running server (for tests and the CLI). */
export interface SignalingServerStats {
  /** Connected sockets that passed the handshake checks. */
  sockets: number;
  /** Participant ids per room, as currently connected. */
  rooms: Record<string, string[]>;
  /** `message` events relayed (counted once per received event). */
  messagesRelayed: number;
  /** Connections refused for a missing handshake query field. */
  rejectedMissingQuery: number;
  /** Connections refused as duplicate joins (`already_in_room`). */
  rejectedDuplicate: number;
  /** Old sockets replaced by a new connection with the same instanceId. */
  replaced: number;
  /** Disconnects of accepted sockets (each broadcast SOCKET_DISCONNECTED). */
  disconnects: number;
  /** LEAVE broadcasts made by `POST /user_closing_tab`. */
  closingTabs: number;
  /** `message` events dropped by `filter`. */
  messagesFiltered: number;
}

/** A running reference signaling server. */
export interface SignalingServerHandle {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  port: number;
  /** socket.io path in use. */
  path: string;
  /** Closes sockets and the HTTP server; idempotent. */
  close(): Promise<void>;
  stats(): SignalingServerStats;
  /**
   * Test fault injection: drops a participant's socket. `mode: 'transport'` closes the underlying
   * connection (the client sees a network loss and reconnects on its own, recovering its state);
   * `'server'` is a server-side disconnect (socket.io clients do not reconnect after it).
   * Returns how many sockets were dropped.
   */
  kick(participantId: string, opts?: { roomId?: string; mode?: 'transport' | 'server' }): number;
}

interface Member {
  socket: Socket;
  instanceId: string;
}

const STATIC_PREFIX = '/testworld/';

/** The browser participant's page directory, in the source tree or beside a build. */
export function defaultStaticDir(): string {
  const candidates = [
    path.resolve(__dirname, '../testworld/browser/page'),
    path.resolve(__dirname, '../../src/testworld/browser/page'),
    path.resolve(process.cwd(), 'src/testworld/browser/page'),
  ];
  return candidates.find((c) => existsSync(c)) ?? candidates[0]!;
}

function queryString(value: unknown): string | undefined {
  if (Array.isArray(value)) value = value[0];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * Starts a stand-in for a "GDMN Meet" app server implementing /work/shared/protocol.md: a thin
 * socket.io v4 relay (no validation, no routing by toId, connection-state recovery on) plus the
 * two HTTP endpoints and a static mount for the browser test participant.
 */
export async function startSignalingServer(opts: SignalingServerOptions = {}): Promise<SignalingServerHandle> {
  const log = createLogger({ component: 'signaling-server' });
  const ioPath = opts.path ?? '/socket.io';
  const staticDir = opts.staticDir ?? defaultStaticDir();
  const webrtcConfig: WebrtcConfig = {
    stun: opts.webrtcConfig?.stun ?? [],
    turn: opts.webrtcConfig?.turn ?? [],
    icePolicy: opts.webrtcConfig?.icePolicy ?? 'all',
  };
  const counters = { messagesRelayed: 0, rejectedMissingQuery: 0, rejectedDuplicate: 0, replaced: 0, disconnects: 0, closingTabs: 0, messagesFiltered: 0 };
  /** roomId -> participantId -> member */
  const rooms = new Map<string, Map<string, Member>>();

  const httpServer = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    res.setHeader('access-control-allow-origin', '*');
    if (req.method === 'GET' && url.pathname === '/api/webrtc-config') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(webrtcConfig));
      return;
    }
    if (req.method === 'POST' && url.pathname === '/user_closing_tab') {
      req.resume(); // body (if any, e.g. from sendBeacon) is not used
      const participantId = url.searchParams.get('participantId');
      const roomId = url.searchParams.get('roomId');
      if (!participantId || !roomId) {
        res.writeHead(400).end('participantId and roomId are required');
        return;
      }
      counters.closingTabs++;
      io.to(roomId).emit('message', { type: 'LEAVE', payload: { fromId: participantId } });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if ((req.method === 'GET' || req.method === 'HEAD') && url.pathname.startsWith(STATIC_PREFIX)) {
      void serveStatic(staticDir, url.pathname.slice(STATIC_PREFIX.length), req, res);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });

  const io = new Server(httpServer, {
    path: ioPath,
    serveClient: true,
    maxHttpBufferSize: opts.maxPayloadBytes ?? 1_000_000,
    ...(opts.transports ? { transports: opts.transports } : {}),
    cors: { origin: true },
    connectionStateRecovery: { maxDisconnectionDuration: 2 * 60_000, skipMiddlewares: true },
  });

  io.on('connection', (socket) => {
    const q = socket.handshake.query;
    const roomId = queryString(q.roomId);
    const participantId = queryString(q.participantId);
    const instanceId = queryString(q.instanceId);
    if (!roomId || !participantId || !instanceId) {
      counters.rejectedMissingQuery++;
      socket.disconnect(true);
      return;
    }
    const existing = rooms.get(roomId)?.get(participantId);
    if (existing && existing.socket.id !== socket.id) {
      if (existing.instanceId !== instanceId) {
        counters.rejectedDuplicate++;
        log.debug({ roomId, participantId }, 'duplicate join refused');
        socket.emit('already_in_room');
        // let the event flush before the close packet
        setImmediate(() => socket.disconnect(true));
        return;
      }
      counters.replaced++;
      existing.socket.disconnect(true); // its disconnect handler broadcasts SOCKET_DISCONNECTED first
    }
    let room = rooms.get(roomId);
    if (!room) rooms.set(roomId, (room = new Map()));
    room.set(participantId, { socket, instanceId });
    void socket.join(roomId);

    socket.on('message', (data: unknown) => {
      const ev = { roomId, participantId, data };
      opts.onMessage?.(ev);
      if (opts.filter && !opts.filter(ev)) {
        counters.messagesFiltered++;
        return;
      }
      counters.messagesRelayed++;
      socket.to(roomId).emit('message', data);
    });

    socket.on('disconnect', (reason) => {
      counters.disconnects++;
      const current = rooms.get(roomId);
      if (current?.get(participantId)?.socket === socket) {
        current.delete(participantId);
        if (current.size === 0) rooms.delete(roomId);
      }
      log.debug({ roomId, participantId, reason }, 'socket disconnected');
      io.to(roomId).emit('message', { type: 'SOCKET_DISCONNECTED', payload: { roomId, participantId } });
    });
  });

  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
        httpServer.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    io.close();
    throw err;
  }
  const port = (httpServer.address() as AddressInfo).port;
  const host = opts.host ?? '127.0.0.1';
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    path: ioPath,
    kick: (participantId, k = {}) => {
      let n = 0;
      for (const [roomId, room] of rooms) {
        const m = room.get(participantId);
        if (!m || (k.roomId !== undefined && k.roomId !== roomId)) continue;
        n++;
        if (k.mode === 'server') m.socket.disconnect(true);
        else m.socket.conn.close();
      }
      return n;
    },
    stats: () => ({
      sockets: [...rooms.values()].reduce((n, r) => n + r.size, 0),
      rooms: Object.fromEntries([...rooms].map(([id, r]) => [id, [...r.keys()]])),
      ...counters,
    }),
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        io.close(() => resolve());
        httpServer.closeAllConnections();
      })),
  };
}
