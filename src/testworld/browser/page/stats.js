// getStats() summary for one RTCPeerConnection: per-kind totals and the selected candidate pair.

const kinds = () => ({
  audio: { bytesSent: 0, packetsSent: 0, bytesReceived: 0, packetsReceived: 0, packetsLost: 0, framesEncoded: 0, framesSent: 0, framesReceived: 0, framesDecoded: 0 },
  video: { bytesSent: 0, packetsSent: 0, bytesReceived: 0, packetsReceived: 0, packetsLost: 0, framesEncoded: 0, framesSent: 0, framesReceived: 0, framesDecoded: 0 },
});

/** @param {RTCPeerConnection} pc */
export async function summarizeStats(pc) {
  const report = await pc.getStats();
  const byKind = kinds();
  const codecs = { sent: {}, received: {} };
  let selectedPairId;
  for (const s of report.values()) {
    if (s.type === 'transport' && s.selectedCandidatePairId) selectedPairId = s.selectedCandidatePairId;
  }
  for (const s of report.values()) {
    const k = byKind[s.kind];
    if (s.type === 'outbound-rtp' && k) {
      k.bytesSent += s.bytesSent ?? 0;
      k.packetsSent += s.packetsSent ?? 0;
      k.framesEncoded += s.framesEncoded ?? 0;
      k.framesSent += s.framesSent ?? 0;
      const c = s.codecId && report.get(s.codecId);
      if (c) codecs.sent[s.kind] = c.mimeType;
    } else if (s.type === 'inbound-rtp' && k) {
      k.bytesReceived += s.bytesReceived ?? 0;
      k.packetsReceived += s.packetsReceived ?? 0;
      k.packetsLost += s.packetsLost ?? 0;
      k.framesReceived += s.framesReceived ?? 0;
      k.framesDecoded += s.framesDecoded ?? 0;
      const c = s.codecId && report.get(s.codecId);
      if (c) codecs.received[s.kind] = c.mimeType;
    } else if (s.type === 'candidate-pair' && !selectedPairId && s.nominated && s.state === 'succeeded') {
      selectedPairId = s.id;
    }
  }
  let selectedPair = null;
  const pair = selectedPairId && report.get(selectedPairId);
  if (pair) {
    const local = report.get(pair.localCandidateId);
    const remote = report.get(pair.remoteCandidateId);
    selectedPair = {
      localType: local?.candidateType, localProtocol: local?.protocol, localAddress: local?.address,
      relayProtocol: local?.relayProtocol, remoteType: remote?.candidateType, remoteAddress: remote?.address,
      currentRoundTripTime: pair.currentRoundTripTime,
    };
  }
  const bytesSent = byKind.audio.bytesSent + byKind.video.bytesSent;
  const bytesReceived = byKind.audio.bytesReceived + byKind.video.bytesReceived;
  return { at: Date.now(), bytesSent, bytesReceived, audio: byKind.audio, video: byKind.video, codecs, selectedPair };
}

/** Sums per-peer summaries into page totals. */
export function sumTotals(summaries) {
  const t = { bytesSent: 0, bytesReceived: 0, framesEncoded: 0, framesSent: 0, framesDecoded: 0, framesReceived: 0,
    packetsSent: { audio: 0, video: 0 }, packetsReceived: { audio: 0, video: 0 } };
  for (const s of summaries) {
    if (!s) continue;
    t.bytesSent += s.bytesSent;
    t.bytesReceived += s.bytesReceived;
    t.framesEncoded += s.video.framesEncoded;
    t.framesSent += s.video.framesSent;
    t.framesDecoded += s.video.framesDecoded;
    t.framesReceived += s.video.framesReceived;
    for (const kind of ['audio', 'video']) {
      t.packetsSent[kind] += s[kind].packetsSent;
      t.packetsReceived[kind] += s[kind].packetsReceived;
    }
  }
  return t;
}
