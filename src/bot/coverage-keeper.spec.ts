import pino from 'pino';
import { Writable } from 'node:stream';
import { CoverageKeeper } from './coverage-keeper';
import type { PeerEntry } from './bot.types';
import type { CoverageGap } from './call-presence';
import { TypedEmitter } from '../signaling/typed-emitter';
import type { SignalingAdapter, SignalingEvents } from '../signaling/signaling-adapter';

/** Just the events CoverageKeeper listens to. */
class FakeEvents extends TypedEmitter<SignalingEvents> {
  fire<K extends keyof SignalingEvents & string>(event: K, ...args: SignalingEvents[K]): void {
    this.emit(event, ...args);
  }
}

function capture(): { log: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({ write(chunk: Buffer, _enc, cb) { lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>); cb(); } });
  return { log: pino({ level: 'info' }, stream), lines };
}

const entry = (id: string, role: 'caller' | 'callee', echoed: boolean, firstPacketMs?: number): PeerEntry =>
  ({ id, role, echoed, feeds: firstPacketMs === undefined ? [] : [{ firstPacketMs }] }) as unknown as PeerEntry;

describe('CoverageKeeper (signaling events -> presence -> calls, gaps, warnings)', () => {
  it('calls the participant seen in a call with others, warns while it is not recorded, and reports the gap', async () => {
    const { log, lines } = capture();
    const called: string[] = [];
    const gaps: CoverageGap[] = [];
    const k = new CoverageKeeper('bot', log, { call: (id) => called.push(id), gap: (g) => gaps.push(g), changed: () => undefined });
    const sig = new FakeEvents();
    k.wire(sig as unknown as SignalingAdapter);
    sig.fire('participantJoined', { id: 'host', name: 'H', ready: true, host: true });
    sig.fire('participantJoined', { id: 'carol', name: 'C', ready: true, host: false });
    const t = Date.now();
    k.tick(t, [entry('host', 'callee', false, t)]);
    sig.fire('remoteCallActivity', { a: 'carol', b: 'host' });
    k.tick(t + 3500, [entry('host', 'callee', false, t)]);
    expect(called).toEqual(['carol']);
    k.tick(t + 6000, [entry('host', 'callee', false, t), entry('carol', 'caller', false)]);
    await new Promise((r) => setImmediate(r));
    const warn = lines.find((l) => l.msg === 'participant in the call is not recorded');
    expect(warn).toMatchObject({ level: 40, participantId: 'carol', reason: 'not-connected' });
    expect(k.status(t + 6000).holes).toEqual([expect.objectContaining({ participantId: 'carol', reason: 'not-connected' })]);
    sig.fire('participantLeft', 'carol', 'leave');
    expect(gaps).toEqual([expect.objectContaining({ participantId: 'carol', reason: 'not-connected' })]);
    expect(k.status(Date.now()).holes).toEqual([]);
  });
});
