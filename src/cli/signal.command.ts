import { runSignalServer } from '../signaling-server/signal.command';

/** `recbot signal` (usage and help text: src/cli/commands.ts). */
export async function runSignalCommand(args: string[]): Promise<number> {
  await runSignalServer(args);
  return 0;
}
