import { KeyframeRequester } from './keyframe-requester';

describe('KeyframeRequester', () => {
  it('retries quickly at start-up until the first key frame, then FIR after 3 unanswered PLIs', () => {
    const sent: boolean[] = [];
    const k = new KeyframeRequester({ requestKeyframe: (fir) => void sent.push(fir === true) }, { startupRetryMs: 250, minIntervalMs: 1000 });
    k.request('start', 0);
    for (let t = 0; t <= 1000; t += 50) k.tick(t);
    expect(sent).toEqual([false, false, false, true, false]); // t = 0, 250, 500, 750 (FIR), 1000
    k.onKeyframe();
    k.tick(2000);
    expect(sent).toHaveLength(5);
  });

  it('falls back to one request per second when no key frame comes during the start-up window', () => {
    let n = 0;
    const k = new KeyframeRequester({ requestKeyframe: () => void n++ }, { startupRetryMs: 250, startupWindowMs: 1000 });
    k.request('start', 0);
    for (let t = 0; t <= 5000; t += 50) k.tick(t);
    expect(n).toBe(4 + 4); // t = 0, 250, 500, 750 fast; then 1 s apart: 1750, 2750, 3750, 4750
  });

  it('throttles later requests to one per second', () => {
    let n = 0;
    const k = new KeyframeRequester({ requestKeyframe: () => void n++ });
    k.request('start', 0);
    k.onKeyframe();
    k.request('loss', 100); // throttled: last request at 0
    k.request('loss', 500);
    expect(n).toBe(1);
    k.tick(1000);
    expect(n).toBe(2);
    k.request('boundary', 1500);
    expect(n).toBe(2);
    k.onKeyframe();
    k.tick(5000);
    expect(n).toBe(2);
    expect(k.requests).toBe(2);
  });
});
