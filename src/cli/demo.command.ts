import { parseArgs } from 'node:util';
import { runDemo } from '../demo/demo';
import type { CliCommand } from './commands';

export const demoCommand: CliCommand = {
  summary: 'record a local demo call end to end (embedded defaults)',
  usage: 'demo [--duration S] [--participants N]',
  async run(args, env) {
    const { values } = parseArgs({
      args,
      options: { duration: { type: 'string', default: '30' }, participants: { type: 'string', default: '2' } },
    });
    const durationS = Number(values.duration);
    const participants = Number(values.participants);
    if (!Number.isInteger(durationS) || durationS < 5 || durationS > 3600) throw new Error('--duration must be 5..3600 seconds');
    if (!Number.isInteger(participants) || participants < 1 || participants > 3) throw new Error('--participants must be 1..3');
    const result = await runDemo({ durationS, participants, env, out: (l) => process.stdout.write(`${l}\n`) });
    return result.manifest.status === 'completed' ? 0 : 1;
  },
};
