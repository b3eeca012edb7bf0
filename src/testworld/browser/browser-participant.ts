import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createLogger, type Logger } from '../../common/logger';
import type { BrowserPageState } from './browser-page.types';

export type { BrowserPageState, PeerRecord, PeerStatsSummary, PageTotals, CaptureTimes } from './browser-page.types';

/** An ICE server as RTCPeerConnection takes it. */
export interface IceServerInit {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** Options of {@link BrowserParticipant.launch}. */
export interface BrowserParticipantOptions {
  /** Base URL of the signaling server that also serves the page under `/testworld/`. */
  serverUrl: string;
  /** The handshake roomId exactly as sent (the apps prefix room codes: `video:<code>`). */
  roomId: string;
  participantId: string;
  name?: string;
  /** 'host' admits 'ready-to-go' participants by calling them; default 'participant'. */
  role?: 'host' | 'participant';
  /** Preferred video codec (setCodecPreferences): VP8, VP9, H264, AV1. */
  codec?: string;
  /** Offer only `codec` (plus rtx/red/ulpfec), as apps that standardise on one codec do. */
  codecOnly?: boolean;
  /** Fake microphone input (WAV file). */
  wav?: string;
  /** Fake camera input (Y4M file). */
  y4m?: string;
  iceServers?: IceServerInit[];
  icePolicy?: 'all' | 'relay';
  /** socket.io path; default /socket.io. */
  signalPath?: string;
  instanceId?: string;
  /** Overrides of the page's recovery timings in ms (pingMs, statsMs, iceRestartMs, fullRestartMs, noStreamMs, ...). */
  timing?: Record<string, number>;
  /** 'any' (default): a stats tick is bad when bytes stall in either direction; 'both': only when both stall. */
  frozenRule?: 'any' | 'both';
  /** Join the room only when {@link BrowserParticipant.connect} is called (default: at once). */
  manualConnect?: boolean;
  /** Host: MAKE_CALL towards every peer it has (default 'all') or only those connected at admission ('connected', as the reference app). */
  makeCallTo?: 'all' | 'connected';
  /** Host: MAKE_CALLs to participants whose id starts with this are lost (never sent). */
  dropMakeCallTo?: string;
  /** Drop CALLING from, and never call, participants whose id starts with this (unreachable for them). */
  ignoreCallsFrom?: string;
  /** Camera constraints; default 640x480 at 20 fps (a file from `y4m` keeps its own size). */
  video?: { width?: number; height?: number; fps?: number };
  executablePath?: string;
  /** Trust any TLS certificate (e.g. coturn's self-signed `turns:` listener); test use only. */
  ignoreCertificateErrors?: boolean;
  /** More Chromium flags. */
  extraArgs?: string[];
  /** Page load + getUserMedia timeout; default 20 s. */
  launchTimeoutMs?: number;
  logger?: Logger;
}

/** Chromium flags for a headless WebRTC participant on loopback (see design.md). */
export function chromiumArgs(opts: Pick<BrowserParticipantOptions, 'wav' | 'y4m' | 'ignoreCertificateErrors' | 'extraArgs'>): string[] {
  const args = [
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    '--disable-features=WebRtcHideLocalIpsWithMdns,LocalNetworkAccessChecks',
    '--autoplay-policy=no-user-gesture-required',
    '--disable-dev-shm-usage',
    '--renderer-process-limit=1',
  ];
  if (opts.wav) args.push(`--use-file-for-fake-audio-capture=${opts.wav}`);
  if (opts.y4m) args.push(`--use-file-for-fake-video-capture=${opts.y4m}`);
  if (opts.ignoreCertificateErrors) args.push('--ignore-certificate-errors');
  return [...args, ...(opts.extraArgs ?? [])];
}

/** The page URL with the participant's parameters in the query. */
export function participantPageUrl(opts: BrowserParticipantOptions): string {
  const url = new URL('/testworld/index.html', opts.serverUrl);
  const set = (k: string, v: string | undefined): void => {
    if (v !== undefined) url.searchParams.set(k, v);
  };
  set('roomId', opts.roomId);
  set('participantId', opts.participantId);
  set('name', opts.name);
  set('role', opts.role);
  set('codec', opts.codec);
  if (opts.codecOnly) set('codecOnly', '1');
  set('signalPath', opts.signalPath);
  set('instanceId', opts.instanceId);
  set('icePolicy', opts.icePolicy);
  set('frozenRule', opts.frozenRule);
  if (opts.manualConnect) set('connect', 'manual');
  set('makeCallTo', opts.makeCallTo);
  set('dropMakeCallTo', opts.dropMakeCallTo);
  set('ignoreCallsFrom', opts.ignoreCallsFrom);
  if (opts.iceServers) set('iceServers', JSON.stringify(opts.iceServers));
  if (opts.timing) set('timing', JSON.stringify(opts.timing));
  if (opts.video?.width) set('width', String(opts.video.width));
  if (opts.video?.height) set('height', String(opts.video.height));
  if (opts.video?.fps) set('fps', String(opts.video.fps));
  return url.toString();
}

/**
 * A real Chromium participant (one headless browser process, fresh profile) running the page in
 * src/testworld/browser/page against a GDMN-style signaling server.
 */
export class BrowserParticipant {
  private closing?: Promise<void>;
  private left = false;
  /** Page console errors and crashes seen so far. */
  readonly errors: string[] = [];

  private constructor(
    readonly options: BrowserParticipantOptions,
    private readonly context: BrowserContext,
    /** The playwright page, for tests that need more than the helpers. */
    readonly page: Page,
    private readonly userDataDir: string,
  ) {}

  /** Starts Chromium, opens the page and waits until it has its local media and socket. */
  static async launch(opts: BrowserParticipantOptions): Promise<BrowserParticipant> {
    const log = (opts.logger ?? createLogger({ component: 'browser-participant' })).child({ participantId: opts.participantId });
    const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'recbot-chromium-'));
    let context: BrowserContext | undefined;
    try {
      context = await chromium.launchPersistentContext(userDataDir, {
        executablePath: opts.executablePath ?? '/usr/bin/chromium',
        headless: true,
        args: chromiumArgs(opts),
        permissions: ['camera', 'microphone'],
        viewport: { width: 400, height: 300 },
        timeout: opts.launchTimeoutMs ?? 20_000,
      });
      const page = context.pages()[0] ?? (await context.newPage());
      const bp = new BrowserParticipant(opts, context, page, userDataDir);
      page.on('console', (m) => {
        if (m.type() === 'error') bp.errors.push(m.text());
        log.debug({ type: m.type() }, m.text());
      });
      page.on('pageerror', (e) => bp.errors.push(String(e)));
      page.on('crash', () => bp.errors.push('page crashed'));
      await page.goto(participantPageUrl(opts), { timeout: opts.launchTimeoutMs ?? 20_000 });
      await page.waitForFunction(
        () => {
          const s = (window as unknown as { __recbot?: { ready: boolean; error: string | null } }).__recbot;
          return Boolean(s && (s.ready || s.error));
        },
        undefined,
        { timeout: opts.launchTimeoutMs ?? 20_000, polling: 100 },
      );
      const state = await bp.snapshot();
      if (state.error) throw new Error(`browser participant failed to start: ${state.error}`);
      return bp;
    } catch (err) {
      await context?.close().catch(() => undefined);
      await rm(userDataDir, { recursive: true, force: true });
      throw err;
    }
  }

  /** `window.__recbot` after a fresh getStats() on every peer connection. */
  stats(): Promise<BrowserPageState> {
    return this.page.evaluate(() => (window as unknown as { __recbotControl: { collect(): Promise<BrowserPageState> } }).__recbotControl.collect());
  }

  /** `window.__recbot` as last updated by the page's own 5 s stats tick (cheaper than stats()). */
  snapshot(): Promise<BrowserPageState> {
    return this.page.evaluate(() => JSON.parse(JSON.stringify((window as unknown as { __recbot: unknown }).__recbot)) as BrowserPageState);
  }

  /** Polls stats() until `predicate` holds; throws with the last state after `timeoutMs`. */
  async waitFor(predicate: (s: BrowserPageState) => boolean, timeoutMs: number, intervalMs = 500): Promise<BrowserPageState> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await this.stats();
      if (predicate(s)) return s;
      if (Date.now() > deadline) {
        const peers = Object.values(s.peers).map((p) => ({ id: p.remoteId, state: p.connectionState, tracks: p.remoteTracks, stats: p.stats && { sent: p.stats.bytesSent, recv: p.stats.bytesReceived } }));
        throw new Error(`${this.options.participantId}: condition not met in ${timeoutMs} ms; peers ${JSON.stringify(peers)}; seen ${Object.keys(s.seen).join(',')}; errors ${JSON.stringify(this.errors.slice(-5))}; log ${JSON.stringify(s.log.slice(-8))}`);
      }
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }

  /** Calls a page control: startCall, restartIce or fullRestart towards `remoteId`. */
  async control(action: 'startCall' | 'restartIce' | 'fullRestart', remoteId: string): Promise<void> {
    await this.page.evaluate(([a, id]) => {
      const c = (window as unknown as { __recbotControl: Record<string, (id: string) => void> }).__recbotControl;
      c[a]!(id);
    }, [action, remoteId] as const);
  }

  /** Join the room now (a page launched with `manualConnect`); resolves once the socket is connected. */
  async connect(): Promise<void> {
    await this.page.evaluate(() => (window as unknown as { __recbotControl: { connect?: () => void } }).__recbotControl.connect?.());
    await this.page.waitForFunction(() => (window as unknown as { __recbot: { socketConnected: boolean } }).__recbot.socketConnected, undefined, { timeout: 10_000, polling: 20 });
  }

  /** The app's mic/camera button: stop or resume sending `kind` on every call and announce it (JOIN audioEnabled/videoEnabled). */
  async setMedia(kind: 'audio' | 'video', on: boolean): Promise<void> {
    await this.page.evaluate(([k, o]) => (window as unknown as { __recbotControl: { setMedia(k: string, o: boolean): Promise<void> } }).__recbotControl.setMedia(k, o), [kind, on] as const);
  }

  /** Hangs up every call (END_CALL), sends LEAVE and disconnects the socket. Idempotent. */
  async leave(): Promise<void> {
    if (this.left || this.closing) return;
    this.left = true;
    await this.page
      .evaluate(() => (window as unknown as { __recbotControl: { leave(): Promise<void> } }).__recbotControl.leave())
      .catch(() => undefined);
  }

  /** Closes the browser and removes its profile. Idempotent. */
  close(): Promise<void> {
    return (this.closing ??= (async () => {
      await this.context.close().catch(() => undefined);
      await rm(this.userDataDir, { recursive: true, force: true });
    })());
  }
}
