/**
 * Test support: capture real RTP produced by ffmpeg on loopback (not used in production code).
 */
import { spawn } from 'child_process';
import * as dgram from 'dgram';
import { RtpPacket } from 'werift';
import { av1RtpPackets } from './av1-packetize';

let lastBinary = Buffer.alloc(0);

export type TestCodec = 'vp8' | 'vp9' | 'h264' | 'opus' | 'av1';

/** ffmpeg encoder arguments for a short real test stream of each codec. */
export function encoderArgs(codec: TestCodec, seconds: number, opts: { size?: string; kbps?: number } = {}): string[] {
  const video = ['-f', 'lavfi', '-i', `testsrc=size=${opts.size ?? '320x240'}:rate=30:duration=${seconds}`];
  if (opts.kbps) video.push('-vf', 'noise=alls=12:allf=t', '-minrate', `${opts.kbps}k`, '-maxrate', `${opts.kbps}k`);
  switch (codec) {
    case 'vp8':
      return [...video, '-c:v', 'libvpx', '-b:v', `${opts.kbps ?? 500}k`, '-g', '60', '-deadline', 'realtime', '-cpu-used', '8'];
    case 'vp9':
      return [...video, '-c:v', 'libvpx-vp9', '-b:v', '500k', '-g', '60', '-deadline', 'realtime', '-cpu-used', '8', '-row-mt', '0', '-strict', 'experimental'];
    case 'h264':
      return [...video, '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-profile:v', 'baseline', '-bf', '0', '-g', '60', '-preset', 'ultrafast', '-tune', 'zerolatency', '-b:v', '500k'];
    case 'av1':
      return [...video, '-pix_fmt', 'yuv420p', '-c:v', 'libsvtav1', '-preset', '12', '-g', '60', '-b:v', '500k', '-svtav1-params', 'pred-struct=1'];
    case 'opus':
      return ['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`, '-c:a', 'libopus', '-b:a', '32k', '-frame_duration', '20', '-ac', '2'];
  }
}

/** Run ffmpeg to send RTP to a local socket and return the packets in arrival order. */
export async function captureRtp(codec: TestCodec, seconds: number, ffmpegBin = 'ffmpeg', opts: { size?: string; kbps?: number } = {}): Promise<RtpPacket[]> {
  if (codec === 'av1') {
    const [code, , err] = await run(ffmpegBin, ['-hide_banner', '-v', 'error', ...encoderArgs('av1', seconds), '-f', 'obu', '-'], true);
    if (code !== 0) throw new Error(`ffmpeg exited ${code}: ${err}`);
    return av1RtpPackets(lastBinary, 30);
  }
  const sock = dgram.createSocket({ type: 'udp4', recvBufferSize: 16 * 1024 * 1024 });
  const packets: RtpPacket[] = [];
  sock.on('message', (msg) => {
    const pt = (msg[1] ?? 0) & 0x7f;
    if (pt >= 72 && pt <= 76) return; // RTCP
    packets.push(RtpPacket.deSerialize(msg));
  });
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
  const port = sock.address().port;
  const args = ['-hide_banner', '-v', 'error', '-readrate', '8', ...encoderArgs(codec, seconds, opts), '-payload_type', codec === 'opus' ? '111' : '96',
    '-f', 'rtp', `rtp://127.0.0.1:${port}?pkt_size=1200`];
  await new Promise<void>((resolve, reject) => {
    const p = spawn(ffmpegBin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited ${code}: ${err}`))));
  });
  await new Promise((r) => setTimeout(r, 100));
  sock.close();
  return packets;
}

/** Run ffmpeg/ffprobe and return [exitCode, stdout, stderr]. */
export function run(bin: string, args: string[], binary = false): Promise<[number, string, string]> {
  return new Promise((resolve, reject) => {
    const p = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const chunks: Buffer[] = [];
    p.stdout.on('data', (d: Buffer) => (binary ? chunks.push(d) : (out += d.toString())));
    p.on('close', () => {
      if (binary) lastBinary = Buffer.concat(chunks);
    });
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve([code ?? -1, out, err]));
  });
}
