import { parseArgs } from 'node:util';
import { RecbotError } from '../common/errors';
import { startSignalingServer, type WebrtcConfig } from './signaling-server';

/**
 * `recbot signal [--port P] [--host H] [--path /socket.io] [--static DIR] [--webrtc-config JSON]`:
 * runs the reference signaling server until SIGINT/SIGTERM (or `opts.signal` aborts). Prints where
 * it listens to `opts.out` (default stdout). Resolves once it has stopped.
 */
export async function runSignalServer(argv: string[], opts: { signal?: AbortSignal; out?: NodeJS.WritableStream } = {}): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      path: { type: 'string', default: '/socket.io' },
      static: { type: 'string' },
      'webrtc-config': { type: 'string' },
    },
    allowPositionals: false,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RecbotError('BAD_ARGS', `invalid --port ${values.port}`);
  const webrtcConfig = values['webrtc-config'] ? (JSON.parse(values['webrtc-config']) as Partial<WebrtcConfig>) : undefined;
  const server = await startSignalingServer({ port, host: values.host, path: values.path, staticDir: values.static, webrtcConfig });
  (opts.out ?? process.stdout).write(
    `signaling server listening on ${server.url} (socket.io path ${server.path}; browser page ${server.url}/testworld/index.html)\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      opts.signal?.removeEventListener('abort', stop);
      void server.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (opts.signal?.aborted) stop();
    else opts.signal?.addEventListener('abort', stop);
  });
}
