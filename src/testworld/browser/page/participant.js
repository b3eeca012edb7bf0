// Browser participant of a GDMN-style room (protocol: /work/shared/protocol.md).
// URL query: signalPath (/socket.io), roomId, participantId, name, role (host|participant), codec
// (VP8|VP9|H264|AV1), codecOnly (1: offer only that video codec plus rtx/red/ulpfec, as apps that
// standardise on one codec do), iceServers (JSON RTCIceServer[]), icePolicy (all|relay), instanceId,
// frozenRule (any|both), timing (JSON overrides of TIMING, in ms), width/height/fps (camera constraints),
// makeCallTo (host: 'all' peers it has, default, or only those 'connected' at admission as the reference
// app does), dropMakeCallTo (host: id prefix whose MAKE_CALLs are lost), ignoreCallsFrom (id prefix whose
// CALLING this page drops and whom it never calls: unreachable for them), connect=manual (join the room
// only when __recbotControl.connect() is called).
import { Peer, TIMING } from './peer.js';
import { summarizeStats, sumTotals } from './stats.js';

const q = new URLSearchParams(location.search);
const me = q.get('participantId') || `browser-${crypto.randomUUID().slice(0, 8)}`;
const roomId = q.get('roomId') || 'video:test';
const role = q.get('role') === 'host' ? 'host' : 'participant';
const iceServers = JSON.parse(q.get('iceServers') || '[]');
const icePolicy = q.get('icePolicy') === 'relay' ? 'relay' : 'all';
const instanceId = q.get('instanceId') || crypto.randomUUID();
Object.assign(TIMING, JSON.parse(q.get('timing') || '{}'));
const makeCallTo = q.get('makeCallTo') === 'connected' ? 'connected' : 'all';
const dropMakeCallTo = q.get('dropMakeCallTo') || null;
const ignoreCallsFrom = q.get('ignoreCallsFrom') || null;
const ignored = (id) => ignoreCallsFrom !== null && typeof id === 'string' && id.startsWith(ignoreCallsFrom);

const logBuf = [];
function log(event, data = {}) {
  const entry = { t: Date.now(), event, ...data };
  logBuf.push(entry);
  if (logBuf.length > 300) logBuf.shift();
  console.log(`[recbot-page] ${JSON.stringify(entry)}`);
}

const state = {
  participantId: me, roomId, role, instanceId, codec: q.get('codec') || null, icePolicy,
  socketConnected: false, socketConnects: 0, transport: null, ready: false, error: null,
  capture: { gumAt: null, videoFirstFrameAt: null, audioFirstSoundAt: null, videoSettings: null, audioSettings: null },
  seen: {}, peers: {}, totals: null, messagesIn: 0, messagesOut: 0, log: logBuf,
};
window.__recbot = state;

/** Our own CALLING config: split iceServers into the app's {stun, turn, icePolicy} shape. */
function ownConfig() {
  const urlsOf = (s) => (Array.isArray(s.urls) ? s.urls : [s.urls]);
  return {
    stun: iceServers.filter((s) => urlsOf(s).every((u) => u.startsWith('stun'))),
    turn: iceServers.filter((s) => urlsOf(s).some((u) => u.startsWith('turn'))),
    icePolicy,
  };
}
function rtcConfigFrom(config) {
  const c = config && typeof config === 'object' ? config : ownConfig();
  const list = [...(Array.isArray(c.stun) ? c.stun : []), ...(Array.isArray(c.turn) ? c.turn : [])];
  return { iceServers: list, iceTransportPolicy: c.icePolicy === 'relay' ? 'relay' : 'all' };
}

let socket;
const peers = new Map();
/** The current RTCPeerConnection with one remote participant (tests read its getStats). */
window.__recbotPc = (remoteId) => peers.get(remoteId)?.pc ?? null;
function send(type, payload) {
  state.messagesOut++;
  socket.emit('message', { type, payload });
}
const enabled = { audio: true, video: true };
function joinPayload() {
  return { fromId: me, name: q.get('name') || me, state: 'ready', audioEnabled: enabled.audio, videoEnabled: enabled.video,
    participantState: role === 'host' ? 'master' : 'ready-to-go' };
}
function record(remoteId) {
  return (state.peers[remoteId] ??= {
    remoteId, role: null, sessionId: null, connectionState: 'new', iceConnectionState: 'new', callsStarted: 0,
    restartsIce: 0, restartsFull: 0, restartsNoStream: 0, restartRequestsReceived: 0, remoteTracks: 0,
    remoteTracksThisCall: 0, remoteTrackKinds: [], candidatesDropped: 0, candidatesAdded: 0, offersSent: 0,
    offersIgnored: 0, rollbacks: 0, pongs: 0, connectedCount: 0, problemsConfirmed: 0, endCallsSent: 0,
    endCallsReceived: 0, stats: null,
    problem: { since: 0, badTicks: 0, confirmed: false, iceRestartDone: false, fullRestartDone: false, reasons: [] },
  });
}

const ctx = {
  me, send, log, codec: state.codec, codecOnly: q.get('codecOnly') === '1', localStream: null, frozenRule: q.get('frozenRule') === 'both' ? 'both' : 'any',
  remoteBox: document.getElementById('remotes'),
  fullRestart(peer) {
    peer.rec.restartsFull++;
    if (peer.role === 'caller') startCall(peer.remoteId);
    else send('RESTART_CALL', { fromId: me, toId: peer.remoteId, sessionId: peer.sessionId });
  },
  endCall(peer) { hangUp(peer.remoteId, true); send('ENUM', { fromId: me }); },
};

function dropPeer(remoteId) {
  const old = peers.get(remoteId);
  if (old) { old.close(); peers.delete(remoteId); }
}
function hangUp(remoteId, notify) {
  const p = peers.get(remoteId);
  if (!p) return;
  if (notify) send('END_CALL', { fromId: me, toId: remoteId, sessionId: p.sessionId });
  dropPeer(remoteId);
}

/** Caller side, step 1 (also a caller's full restart). */
function startCall(remoteId) {
  dropPeer(remoteId);
  const sessionId = crypto.randomUUID();
  const rec = record(remoteId);
  rec.callsStarted++;
  const peer = new Peer(ctx, rec, { remoteId, role: 'caller', sessionId, rtcConfig: rtcConfigFrom(null) });
  peers.set(remoteId, peer);
  log('calling', { remoteId, sessionId });
  send('CALLING', { fromId: me, toId: remoteId, sessionId, config: ownConfig() });
}

function current(p) {
  const peer = peers.get(p.fromId);
  return peer && peer.sessionId === p.sessionId ? peer : undefined;
}

const handlers = {
  ENUM: () => send('JOIN', joinPayload()),
  JOIN(p) {
    state.seen[p.fromId] = { name: p.name, state: p.state, participantState: p.participantState, at: Date.now() };
    if (role === 'host' && p.participantState === 'ready-to-go' && !peers.has(p.fromId)) {
      const existing = [...peers].filter(([, peer]) => makeCallTo === 'all' || peer.pc.connectionState === 'connected').map(([id]) => id);
      startCall(p.fromId);
      if (dropMakeCallTo !== null && p.fromId.startsWith(dropMakeCallTo)) { log('make-call-dropped', { toId: p.fromId, existing }); return; }
      for (const calleeId of existing) send('MAKE_CALL', { fromId: me, toId: p.fromId, calleeId });
    }
  },
  LEAVE(p) { dropPeer(p.fromId); delete state.seen[p.fromId]; },
  SOCKET_DISCONNECTED(p) { log('remote-socket-disconnected', { participantId: p.participantId }); },
  CALLING(p) {
    if (!state.seen[p.fromId]) { log('calling-ignored-unseen', { fromId: p.fromId }); return; }
    if (ignored(p.fromId)) { log('calling-ignored-by-option', { fromId: p.fromId }); return; }
    if (typeof p.sessionId !== 'string') return;
    dropPeer(p.fromId);
    const rec = record(p.fromId);
    const peer = new Peer(ctx, rec, { remoteId: p.fromId, role: 'callee', sessionId: p.sessionId, rtcConfig: rtcConfigFrom(p.config) });
    peers.set(p.fromId, peer);
    send('ANSWER_CALL', { fromId: me, toId: p.fromId, sessionId: p.sessionId, audioEnabled: true, videoEnabled: true });
  },
  ANSWER_CALL(p) {
    const peer = current(p);
    if (!peer || peer.tracksAdded) return; // stale, or the callee's last echo
    peer.addTracks();
    send('ANSWER_CALL', { fromId: me, toId: p.fromId, sessionId: p.sessionId, audioEnabled: true, videoEnabled: true });
  },
  MAKE_CALL(p) { if (typeof p.calleeId === 'string' && p.calleeId !== me && !ignored(p.calleeId)) startCall(p.calleeId); },
  SIGNAL(p) { current(p)?.onSignal(p); },
  SOCKET_PING(p) { send('SOCKET_PONG', { fromId: me, toId: p.fromId, sessionId: p.sessionId }); },
  SOCKET_PONG(p) { current(p)?.onPong(); },
  RESTART_CALL(p) {
    const peer = current(p);
    if (!peer || peer.role !== 'caller') return;
    peer.rec.restartRequestsReceived++;
    peer.rec.restartsFull++;
    startCall(p.fromId);
  },
  END_CALL(p) {
    const peer = current(p);
    if (!peer) return;
    peer.rec.endCallsReceived++;
    dropPeer(p.fromId);
  },
};

function onMessage(data) {
  state.messagesIn++;
  if (!data || typeof data !== 'object' || typeof data.type !== 'string') return;
  const p = data.payload;
  if (!p || typeof p !== 'object') return;
  if (p.fromId === me) return;
  if (p.toId !== undefined && p.toId !== me) return;
  const h = handlers[data.type];
  if (!h) return;
  try { h(p); } catch (err) { log('handler-error', { type: data.type, error: String(err) }); }
}

async function observeCapture(stream) {
  state.capture.gumAt = Date.now();
  const [v] = stream.getVideoTracks();
  const [a] = stream.getAudioTracks();
  state.capture.videoSettings = v?.getSettings() ?? null;
  state.capture.audioSettings = a?.getSettings() ?? null;
  if (v) {
    const el = document.createElement('video');
    el.muted = true; el.autoplay = true; el.srcObject = new MediaStream([v]);
    document.getElementById('local').appendChild(el);
    el.requestVideoFrameCallback((_now, meta) => {
      state.capture.videoFirstFrameAt = meta.captureTime ? performance.timeOrigin + meta.captureTime : Date.now();
      el.srcObject = null; el.remove();
    });
    el.play().catch(() => {});
  }
  if (a) {
    const ac = new AudioContext();
    const an = ac.createAnalyser();
    ac.createMediaStreamSource(new MediaStream([a])).connect(an);
    const buf = new Float32Array(an.fftSize);
    const t0 = Date.now();
    const poll = () => {
      an.getFloatTimeDomainData(buf);
      if (buf.some((x) => Math.abs(x) > 1e-4)) {
        state.capture.audioFirstSoundAt = Date.now() - Math.round((an.fftSize / ac.sampleRate) * 500);
        void ac.close();
      } else if (Date.now() - t0 < 15000) setTimeout(poll, 5);
      else void ac.close();
    };
    poll();
  }
}

async function collect() {
  const entries = await Promise.all([...peers].map(async ([id, p]) => {
    const s = await summarizeStats(p.pc).catch(() => null);
    if (s) state.peers[id].stats = s;
    return s;
  }));
  state.totals = sumTotals(entries);
  return JSON.parse(JSON.stringify(state));
}

window.__recbotControl = {
  collect,
  async leave() {
    for (const id of [...peers.keys()]) hangUp(id, true);
    send('LEAVE', { fromId: me });
    // socket.io servers dispatch events on the next tick and drop those of an already closed
    // socket: disconnecting right after emit loses them. Give them time to arrive.
    await new Promise((r) => setTimeout(r, 250));
    socket.disconnect();
  },
  startCall,
  restartIce(remoteId) { const p = peers.get(remoteId); if (p) { p.rec.restartsIce++; p.pc.restartIce(); } },
  fullRestart(remoteId) { const p = peers.get(remoteId); if (p) ctx.fullRestart(p); },
  // The app's mic/camera button: stop (or resume) sending that kind and announce it with a JOIN.
  async setMedia(kind, on) {
    enabled[kind] = on;
    const track = ctx.localStream.getTracks().find((t) => t.kind === kind);
    for (const p of peers.values()) {
      for (const t of p.pc.getTransceivers()) {
        if (t.receiver.track.kind === kind && !t.stopped && t.direction !== 'inactive') await t.sender.replaceTrack(on ? track : null);
      }
    }
    send('JOIN', joinPayload());
  },
};

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src; s.onload = resolve; s.onerror = () => reject(new Error(`cannot load ${src}`));
    document.head.appendChild(s);
  });
}

async function main() {
  const signalPath = q.get('signalPath') || '/socket.io';
  await loadScript(`${signalPath.replace(/\/$/, '')}/socket.io.js`);
  const video = { width: Number(q.get('width') || 640), height: Number(q.get('height') || 480), frameRate: Number(q.get('fps') || 20) };
  ctx.localStream = await navigator.mediaDevices.getUserMedia({ audio: true, video });
  void observeCapture(ctx.localStream);
  if (q.get('connect') === 'manual') window.__recbotControl.connect = () => connectSocket(signalPath);
  else connectSocket(signalPath);
  addEventListener('pagehide', () => navigator.sendBeacon(`/user_closing_tab?participantId=${encodeURIComponent(me)}&roomId=${encodeURIComponent(roomId)}`));
  state.ready = true;
}

/** Join the room (at once, or when the test says so with connect=manual). */
function connectSocket(signalPath) {
  if (socket) return;
  socket = window.io({ path: signalPath, query: { roomId, participantId: me, instanceId } });
  socket.on('connect', () => {
    state.socketConnected = true;
    state.socketConnects++;
    state.transport = socket.io.engine.transport.name;
    socket.io.engine.once('upgrade', (t) => { state.transport = t.name; });
    log('socket-connect', { recovered: socket.recovered });
    send('ENUM', { fromId: me });
    send('JOIN', joinPayload());
  });
  socket.on('disconnect', (reason) => { state.socketConnected = false; log('socket-disconnect', { reason }); });
  socket.on('already_in_room', () => { state.error = 'already_in_room'; log('already-in-room'); });
  socket.on('message', (data) => onMessage(data)); // trailing offset argument ignored
}

main().catch((err) => { state.error = String(err); log('fatal', { error: String(err) }); });
