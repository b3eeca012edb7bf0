import { followOfferCodecOrder } from './sdp-filter';

const offer = ['v=0', 'm=audio 9 UDP/TLS/RTP/SAVPF 111 63', 'a=mid:0', 'm=video 9 UDP/TLS/RTP/SAVPF 98 99 96 97 45 46', 'a=mid:1', ''].join('\r\n');

describe('followOfferCodecOrder', () => {
  it('puts the answer payload types in the offer order (Chrome sends the first codec of the answer)', () => {
    const answer = ['v=0', 'm=audio 9 UDP/TLS/RTP/SAVPF 111 63', 'a=mid:0', 'm=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99 45 46', 'a=rtpmap:96 VP8/90000', ''].join('\r\n');
    const out = followOfferCodecOrder(answer, offer);
    expect(out.split('\r\n')[3]).toBe('m=video 9 UDP/TLS/RTP/SAVPF 98 99 96 97 45 46');
    expect(out.split('\r\n')[1]).toBe('m=audio 9 UDP/TLS/RTP/SAVPF 111 63');
    expect(out.split('\r\n')[4]).toBe('a=rtpmap:96 VP8/90000');
  });

  it('leaves rejected or mismatched m-lines alone', () => {
    const answer = ['v=0', 'm=application 9 UDP/DTLS/SCTP webrtc-datachannel', 'm=video 0 UDP/TLS/RTP/SAVPF 0', ''].join('\n');
    expect(followOfferCodecOrder(answer, offer)).toBe(answer);
  });
});
