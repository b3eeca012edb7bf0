#!/usr/bin/env node
import 'reflect-metadata';
import { RecbotError } from './common/errors';
import { commands, usage } from './cli/commands';

/** recbot CLI entry: `recbot [serve|demo|signal|record|jobs|storage] ...` (serve is the default). */
async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  const name = !first || first.startsWith('-') ? 'serve' : first;
  const args = !first || first.startsWith('-') ? argv : rest;
  if (name === 'help' || args.includes('--help') || args.includes('-h')) {
    process.stdout.write(usage());
    return 0;
  }
  const cmd = commands[name];
  if (!cmd) {
    process.stderr.write(`recbot: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  return cmd.run(args, process.env);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== -1) process.exit(code);
  },
  (err: unknown) => {
    if (err instanceof RecbotError) {
      process.stderr.write(`recbot: ${err.message}\n`);
      process.exit(err.code === 'CONFIG_INVALID' ? 2 : 1);
    }
    process.stderr.write(`recbot: fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
