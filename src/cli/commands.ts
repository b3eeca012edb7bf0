/** The CLI's commands: their texts here, their code loaded only when run (`recbot --help` stays fast). */

/** A CLI command; `run` resolves to the exit code, or -1 to keep the process running. */
export interface CliCommand {
  summary: string;
  usage: string;
  /** What `recbot <command> --help` prints after the usage line: every option, one per line. */
  help: string;
  run(args: string[], env: Record<string, string | undefined>): Promise<number>;
}

export const commands: Record<string, CliCommand> = {
  serve: {
    summary: 'run the service for APP_ROLE (api|recorder|worker|all)',
    usage: 'serve',
    help: `No options: everything is an environment variable (README.md, Configuration).
APP_ROLE picks the modules (api, recorder, worker, all). SIGTERM/SIGINT drain gracefully.`,
    run: async (args, env) => (await import('./serve.command')).runServeCommand(args, env),
  },
  signal: {
    summary: 'run the reference signaling server (protocol.md) for demos and tests',
    usage: 'signal [--port P] [--host H] [--path /socket.io]',
    help: `Options:
  --port P               listen port (default 0: any free port; printed)
  --host H               listen address (default 127.0.0.1)
  --path P               Socket.IO path (default /socket.io)
  --static DIR           also serve DIR over HTTP
  --webrtc-config JSON   what GET /api/webrtc-config answers ({stun, turn, icePolicy})`,
    run: async (args) => (await import('./signal.command')).runSignalCommand(args),
  },
  demo: {
    summary: 'record a local demo call end to end (embedded defaults)',
    usage: 'demo [--duration S] [--participants N]',
    help: `Options:
  --duration S       seconds the bot records (5..3600, default 30)
  --participants N   synthetic speakers in the call (1..3, default 2)
Runs on embedded defaults: its own redis-server, fs storage under WORK_DIR, offline transcription.
Prints the segments, the published outputs and the merged transcript; exit 0 when the recording completed.`,
    run: async (args, env) => (await import('./demo.command')).runDemoCommand(args, env),
  },
  record: {
    summary: 'record one call with one bot, no queue (segments into --out)',
    usage: 'record --signal URL --room ID [--duration S] [--name N] [--out DIR]',
    help: `Options:
  --signal URL     the app's Socket.IO signaling server (http(s) or ws(s))
  --room ID        room to join (as the app names it, e.g. video:123-456)
  --duration S     leave after S seconds (1..86400; default: when the room is empty)
  --name N         display name of the bot
  --out DIR        where segments and the manifest go (default recordings-out)
One bot, no queue and no post-processing; Ctrl-C leaves the call and closes the segments.`,
    run: async (args, env) => (await import('./record.command')).runRecordCommand(args, env),
  },
  jobs: {
    summary: 'list failed jobs, retry one or all (REDIS_URL or the embedded Redis of WORK_DIR)',
    usage: 'jobs [list|retry <queue> <id>|retry-all] [--queue Q] [--json]',
    help: `Subcommands:
  list                 failed jobs (default)
  retry <queue> <id>   retry one failed job
  retry-all            retry every failed job
Options:
  --queue Q            only this queue
  --json               JSON output
  --prefix P           BullMQ key prefix (default: the service's)
Uses REDIS_URL, or the embedded redis-server of WORK_DIR while the service runs.`,
    run: async (args, env) => (await import('./jobs.command')).runJobsCommand(args, env),
  },
  storage: {
    summary: "apply recbot's lifecycle rules to the bucket (foreign rules are kept)",
    usage: 'storage apply-lifecycle',
    help: `Subcommands:
  apply-lifecycle   merge recbot's bucket lifecycle rules (staging expiry, cold transition,
                    retention, aborted multipart uploads) into the bucket; idempotent, keeps foreign rules
Uses the STORAGE_* and S3_* environment variables; the fs driver has no rules.`,
    run: async (args, env) => (await import('./storage.command')).runStorageCommand(args, env),
  },
};

/** `recbot <command> --help`. */
export function commandHelp(c: CliCommand): string {
  return `Usage: recbot ${c.usage}\n\n${c.summary}\n\n${c.help.trimEnd()}\n`;
}

export function usage(): string {
  const lines = Object.values(commands).map((c) => `  ${c.usage.padEnd(48)} ${c.summary}`);
  return `Usage: recbot <command> [options]\n\nCommands:\n${lines.join('\n')}\n\n'recbot <command> --help' describes a command. Configuration comes from environment variables (see README.md).\n`;
}
