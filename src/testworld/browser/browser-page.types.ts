/** Shapes of `window.__recbot` exposed by the browser participant page (page/participant.js). */

/** Per-kind getStats() totals of one peer connection. */
export interface KindStats {
  bytesSent: number;
  packetsSent: number;
  bytesReceived: number;
  packetsReceived: number;
  packetsLost: number;
  framesEncoded: number;
  framesSent: number;
  framesReceived: number;
  framesDecoded: number;
}

/** Summary of one getStats() report (page/stats.js). */
export interface PeerStatsSummary {
  at: number;
  bytesSent: number;
  bytesReceived: number;
  audio: KindStats;
  video: KindStats;
  codecs: { sent: Partial<Record<'audio' | 'video', string>>; received: Partial<Record<'audio' | 'video', string>> };
  selectedPair: {
    localType?: string;
    localProtocol?: string;
    localAddress?: string;
    relayProtocol?: string;
    remoteType?: string;
    remoteAddress?: string;
    currentRoundTripTime?: number;
  } | null;
}

/** Per remote participant; survives call restarts (counters accumulate). */
export interface PeerRecord {
  remoteId: string;
  role: 'caller' | 'callee' | null;
  sessionId: string | null;
  connectionState: string;
  iceConnectionState: string;
  callsStarted: number;
  restartsIce: number;
  restartsFull: number;
  restartsNoStream: number;
  restartRequestsReceived: number;
  remoteTracks: number;
  remoteTracksThisCall: number;
  remoteTrackKinds: string[];
  candidatesDropped: number;
  candidatesAdded: number;
  offersSent: number;
  offersIgnored: number;
  rollbacks: number;
  pongs: number;
  connectedCount: number;
  problemsConfirmed: number;
  endCallsSent: number;
  endCallsReceived: number;
  stats: PeerStatsSummary | null;
  problem: { since: number; badTicks: number; confirmed: boolean; iceRestartDone: boolean; fullRestartDone: boolean; reasons: string[] };
}

/** Totals over the page's current peer connections. */
export interface PageTotals {
  bytesSent: number;
  bytesReceived: number;
  framesEncoded: number;
  framesSent: number;
  framesDecoded: number;
  framesReceived: number;
  packetsSent: { audio: number; video: number };
  packetsReceived: { audio: number; video: number };
}

/** Capture start times (epoch ms) the page observed for its own fake camera and microphone. */
export interface CaptureTimes {
  gumAt: number | null;
  videoFirstFrameAt: number | null;
  audioFirstSoundAt: number | null;
  videoSettings: Record<string, unknown> | null;
  audioSettings: Record<string, unknown> | null;
}

/** A snapshot of `window.__recbot`. */
export interface BrowserPageState {
  participantId: string;
  roomId: string;
  role: 'host' | 'participant';
  instanceId: string;
  codec: string | null;
  icePolicy: 'all' | 'relay';
  socketConnected: boolean;
  socketConnects: number;
  /** socket.io transport in use: 'polling' or 'websocket' (after upgrade). */
  transport: string | null;
  ready: boolean;
  error: string | null;
  capture: CaptureTimes;
  seen: Record<string, { name?: string; state?: string; participantState?: string; at: number }>;
  peers: Record<string, PeerRecord>;
  totals: PageTotals | null;
  messagesIn: number;
  messagesOut: number;
  log: Array<{ t: number; event: string } & Record<string, unknown>>;
}
