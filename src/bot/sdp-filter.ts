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
