const DROP_LINE = [
  /^a=rtcp-fb:\S+ transport-cc\s*$/,
  /^a=rtcp-fb:\S+ goog-remb\s*$/,
  /^a=extmap:\d+(\/\S+)? http:\/\/www\.ietf\.org\/id\/draft-holmer-rmcat-transport-wide-cc-extensions-01\s*$/,
];

/**
 * Remove transport-cc and REMB (feedback lines and the transport-wide-cc header extension) from a
 * remote SDP before werift sees it. werift copies the remote's rtcp-fb into its answer and would
 * then run TWCC feedback, which keeps Chrome at 100-250 kbps; without it Chrome ramps up.
 */
export function stripCongestionFeedback(sdp: string): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  return sdp
    .split(eol)
    .filter((line) => !DROP_LINE.some((re) => re.test(line)))
    .join(eol);
}

/**
 * Put the payload types of each audio/video m-line of our answer in the order of the offer's
 * m-line. werift answers in its own configured order (VP8 first), but a browser sends with the first
 * codec of the answer: without this, an app's setCodecPreferences (VP9, H264, AV1) is ignored and
 * Chrome sends VP8. Browsers answer in the offer's order too. Only the m= line order changes.
 */
export function followOfferCodecOrder(answerSdp: string, offerSdp: string): string {
  const eol = answerSdp.includes('\r\n') ? '\r\n' : '\n';
  const mLines = (sdp: string): string[] => sdp.split(/\r?\n/).filter((l) => l.startsWith('m='));
  const offerM = mLines(offerSdp);
  let i = -1;
  return answerSdp
    .split(eol)
    .map((line) => {
      if (!line.startsWith('m=')) return line;
      i++;
      const parts = line.split(' ');
      const offerParts = offerM[i]?.split(' ');
      if (parts.length < 4 || !offerParts || !/^m=(audio|video)$/.test(parts[0] ?? '') || parts[0] !== offerParts[0]) return line;
      const rank = new Map(offerParts.slice(3).map((pt, k) => [pt, k]));
      const fmts = parts.slice(3).sort((a, b) => (rank.get(a) ?? 1e9) - (rank.get(b) ?? 1e9));
      return [...parts.slice(0, 3), ...fmts].join(' ');
    })
    .join(eol);
}
