import { runSignalServer } from '../signaling-server/signal.command';
import type { CliCommand } from './commands';

export const signalCommand: CliCommand = {
  summary: 'run the reference signaling server (protocol.md) for demos and tests',
  usage: 'signal [--port P] [--host H] [--path /socket.io]',
  async run(args) {
    await runSignalServer(args);
    return 0;
  },
};
