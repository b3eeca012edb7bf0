import { newManifest } from '../manifest/manifest-store';
import type { ManifestPart, ManifestTrack, RecordingManifest } from '../manifest/manifest.types';
import { TAKEOVER_MEDIA_WAIT_MS, TAKEOVER_POLL_MS, TakeoverWatch, awaitTakeover } from './takeover';

const part = (n: number, botId: string): ManifestPart => ({ part: n, botId, startedMs: 0 });
const track = (n: number): ManifestTrack => ({ trackKey: 'audio', participantId: 'p', kind: 'audio', codec: 'audio/opus', clockRate: 48000, part: n, startedMs: 0 });
const manifest = (parts: ManifestPart[], tracks: ManifestTrack[] = []): RecordingManifest => ({
  ...newManifest({ recordingId: 'r', roomId: 'room', sessionStartMs: 0 }), status: 'recording', parts, tracks,
});
const mine = { part: 1, botId: 'bot-a' };

/** A clock that only moves when the code under test sleeps. */
function fakeTime() {
  let t = 1_000_000;
  return { now: () => t, sleep: async (ms: number) => void (t += ms), advance: (ms: number) => (t += ms) };
}

describe('TakeoverWatch', () => {
  it('keeps recording while no newer part is listed, then leaves at the cap', () => {
    const w = new TakeoverWatch(0, 60_000);
    expect(w.observe(2000, mine, manifest([part(1, 'bot-a')]))).toBeUndefined();
    expect(w.observe(30_000, mine, undefined)).toBeUndefined(); // storage unreadable: keep going
    expect(w.state).toBe('watching');
    expect(w.observe(60_000, mine, manifest([part(1, 'bot-a')]))).toBe('cap reached');
  });

  it('leaves as soon as the newer part records a track', () => {
    const w = new TakeoverWatch(0, 600_000);
    expect(w.observe(2000, mine, manifest([part(1, 'bot-a'), part(2, 'bot-b')]))).toBeUndefined();
    expect(w.state).toBe('newer-listed');
    expect(w.observe(4000, mine, manifest([part(1, 'bot-a'), part(2, 'bot-b')], [track(1)]))).toBeUndefined(); // our own track
    expect(w.observe(6000, mine, manifest([part(1, 'bot-a'), part(2, 'bot-b')], [track(2)]))).toBe('taken over');
  });

  it('counts a second bot of the same part number as newer (a re-delivery elsewhere)', () => {
    const w = new TakeoverWatch(0, 600_000);
    expect(w.observe(2000, mine, manifest([part(1, 'bot-a'), part(1, 'bot-c')]))).toBeUndefined();
    expect(w.state).toBe('newer-listed');
  });

  it('leaves a while after the newer part appeared even without its media', () => {
    const w = new TakeoverWatch(0, 600_000);
    const m = manifest([part(1, 'bot-a'), part(2, 'bot-b')]);
    expect(w.observe(10_000, mine, m)).toBeUndefined();
    expect(w.observe(10_000 + TAKEOVER_MEDIA_WAIT_MS, mine, m)).toBeUndefined();
    expect(w.observe(10_001 + TAKEOVER_MEDIA_WAIT_MS, mine, m)).toBe('taken over (no media from the new part yet)');
  });
});

describe('awaitTakeover (fake time)', () => {
  it('polls every TAKEOVER_POLL_MS and returns why once the new part records', async () => {
    const clock = fakeTime();
    const start = clock.now();
    const loads: number[] = [];
    const why = await awaitTakeover({
      capMs: 600_000, mine: () => mine, stillLost: () => true, now: clock.now, sleep: clock.sleep,
      load: async () => {
        loads.push(clock.now() - start);
        const elapsed = clock.now() - start;
        return manifest([part(1, 'bot-a'), ...(elapsed >= 6000 ? [part(2, 'bot-b')] : [])], elapsed >= 10_000 ? [track(2)] : []);
      },
    });
    expect(why).toBe('taken over');
    expect(loads).toEqual([1, 2, 3, 4, 5].map((i) => i * TAKEOVER_POLL_MS));
  });

  it('reaches the cap when nobody takes over', async () => {
    const clock = fakeTime();
    const start = clock.now();
    const why = await awaitTakeover({ capMs: 20_000, mine: () => mine, stillLost: () => true, now: clock.now, sleep: clock.sleep, load: async () => manifest([part(1, 'bot-a')]) });
    expect(why).toBe('cap reached');
    expect(clock.now() - start).toBe(20_000);
  });

  it('stops watching (no reason) when the call ended or was adopted meanwhile', async () => {
    const clock = fakeTime();
    let lost = true;
    const why = await awaitTakeover({
      capMs: 600_000, mine: () => mine, stillLost: () => lost, now: clock.now, sleep: clock.sleep,
      load: async () => {
        lost = false; // adopted while the manifest was read
        return manifest([part(1, 'bot-a'), part(2, 'bot-b')], [track(2)]);
      },
    });
    expect(why).toBeUndefined();
  });
});
