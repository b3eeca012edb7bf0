import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_DOCS, configTableMarkdown } from './config.docs';
import { CONFIG_KEYS } from './config.schema';

describe('configuration docs', () => {
  it('documents every variable the schema knows', () => {
    const undocumented = CONFIG_KEYS.filter((k) => !CONFIG_DOCS[k]);
    expect(undocumented).toEqual([]);
    const stale = Object.keys(CONFIG_DOCS).filter((k) => !CONFIG_KEYS.includes(k));
    expect(stale).toEqual([]);
  });

  it('README.md carries the current configuration table (regenerate: npm run config-table)', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    expect(readme).toContain(configTableMarkdown());
  });
});
