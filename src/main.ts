#!/usr/bin/env node
import './common/node-version';
import 'reflect-metadata';
import { RecbotError } from './common/errors';
import { commandHelp, commands, usage } from './cli/commands';

const wantsHelp = (args: string[]): boolean => args.includes('--help') || args.includes('-h');

/** A node:util parseArgs error (unknown option, missing value, stray positional). */
function isArgsError(err: unknown): err is Error {
  const code = (err as { code?: unknown } | null)?.code;
  return err instanceof Error && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

/** recbot CLI entry: `recbot [serve|demo|signal|record|jobs|storage] ...` (serve is the default). */
async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === 'help' || (first !== undefined && first.startsWith('-') && wantsHelp([first]))) {
    const named = first === 'help' && rest[0] ? commands[rest[0]] : undefined;
    process.stdout.write(named ? commandHelp(named) : usage());
    return 0;
  }
  const name = !first || first.startsWith('-') ? 'serve' : first;
  const args = !first || first.startsWith('-') ? argv : rest;
  const cmd = commands[name];
  if (!cmd) {
    process.stderr.write(`recbot: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  if (wantsHelp(args)) {
    process.stdout.write(commandHelp(cmd));
    return 0;
  }
  try {
    return await cmd.run(args, process.env);
  } catch (err) {
    if (isArgsError(err) || (err instanceof RecbotError && err.code === 'BAD_ARGS')) {
      process.stderr.write(`recbot ${name}: ${err.message}\nUsage: recbot ${cmd.usage}  (recbot ${name} --help)\n`);
      return 2;
    }
    throw err;
  }
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
