import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configTableMarkdown } from './config.docs';

const BEGIN = '<!-- config-table:begin -->';
const END = '<!-- config-table:end -->';

/**
 * `npm run config-table`: prints README's configuration table; with `--write` it replaces the
 * table between the markers in README.md (a unit test checks README carries the current table).
 */
const table = configTableMarkdown();
if (process.argv.includes('--write')) {
  const file = join(__dirname, '..', '..', 'README.md');
  const readme = readFileSync(file, 'utf8');
  const a = readme.indexOf(BEGIN);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md lacks the ${BEGIN} ... ${END} markers`);
  writeFileSync(file, `${readme.slice(0, a + BEGIN.length)}\n${table}\n${readme.slice(b)}`);
  process.stdout.write('README.md configuration table updated\n');
} else {
  process.stdout.write(`${table}\n`);
}
