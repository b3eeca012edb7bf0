import { parseArgs } from 'node:util';
import { runDemo } from '../demo/demo';
import { RecbotError } from '../common/errors';

/** `recbot demo` (usage and help text: src/cli/commands.ts). */
export async function runDemoCommand(args: string[], env: Record<string, string | undefined>): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { duration: { type: 'string', default: '30' }, participants: { type: 'string', default: '2' } },
  });
  const durationS = Number(values.duration);
  const participants = Number(values.participants);
  if (!Number.isInteger(durationS) || durationS < 5 || durationS > 3600) throw new RecbotError('BAD_ARGS', '--duration must be 5..3600 seconds');
  if (!Number.isInteger(participants) || participants < 1 || participants > 3) throw new RecbotError('BAD_ARGS', '--participants must be 1..3');
  const result = await runDemo({ durationS, participants, env, out: (l) => process.stdout.write(`${l}\n`) });
  return result.manifest.status === 'completed' ? 0 : 1;
}
