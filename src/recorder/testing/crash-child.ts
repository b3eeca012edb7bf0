/**
 * Test support: a child process that records paced RTP (video + audio) until it is SIGKILLed.
 * argv: spoolDir recordingId packetsFile... where each packets file is `kind:clockRate:mime:path`
 * holding u32le-length-prefixed raw RTP packets. Prints `fed <kind> <mediaMs>` as it goes.
 */
import { readFileSync } from 'fs';
import { RtpPacket } from 'werift';
import { RecordingSession } from '../recording-session';

function load(file: string): RtpPacket[] {
  const b = readFileSync(file);
  const out: RtpPacket[] = [];
  for (let o = 0; o + 4 <= b.length;) {
    const n = b.readUInt32LE(o);
    out.push(RtpPacket.deSerialize(b.subarray(o + 4, o + 4 + n)));
    o += 4 + n;
  }
  return out;
}

async function main(): Promise<void> {
  const [spoolDir, recordingId, ...specs] = process.argv.slice(2);
  const session = await RecordingSession.open({
    recordingId: recordingId as string, roomId: 'room', spoolDir: spoolDir as string, part: 1, botId: 'child',
    segmentSeconds: 2, jitterBufferMs: 300, journalFsyncMs: 500, uploadQueueMax: 16, onSegmentClosed: () => undefined,
  });
  const start = Date.now() + 50;
  for (const spec of specs) {
    const [kind, rate, mime, file] = spec.split(':') as [string, string, string, string];
    const clockRate = Number(rate);
    const packets = load(file);
    const sink = session.createTrackSink(
      { participantId: 'p1', displayName: 'P1', kind: kind as 'audio' | 'video', trackId: kind, mimeType: mime, clockRate, payloadType: 96, ssrc: 1, channels: kind === 'audio' ? 2 : undefined },
      { requestKeyframe: () => undefined },
    );
    const ts0 = packets[0]?.header.timestamp ?? 0;
    let i = 0;
    const step = (): void => {
      const mediaMs = Date.now() - start;
      while (i < packets.length) {
        const p = packets[i] as RtpPacket;
        const at = (((p.header.timestamp - ts0) | 0) / clockRate) * 1000;
        if (at > mediaMs) break;
        sink.onRtp(p, Date.now());
        i++;
      }
      process.stdout.write(`fed ${kind} ${Math.round(mediaMs)}\n`);
      if (i < packets.length) setTimeout(step, 20);
    };
    setTimeout(step, 50);
  }
}

void main();
