import { serveCommand } from './serve.command';
import { signalCommand } from './signal.command';
import { demoCommand } from './demo.command';
import { recordCommand } from './record.command';
import { jobsCommand } from './jobs.command';
import { storageCommand } from './storage.command';

/** A CLI command; `run` resolves to the exit code, or -1 to keep the process running. */
export interface CliCommand {
  summary: string;
  usage: string;
  run(args: string[], env: Record<string, string | undefined>): Promise<number>;
}

export const commands: Record<string, CliCommand> = {
  serve: serveCommand,
  signal: signalCommand,
  demo: demoCommand,
  record: recordCommand,
  jobs: jobsCommand,
  storage: storageCommand,
};

export function usage(): string {
  const lines = Object.values(commands).map((c) => `  ${c.usage.padEnd(48)} ${c.summary}`);
  return `Usage: recbot <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nConfiguration comes from environment variables (see README.md).\n`;
}
