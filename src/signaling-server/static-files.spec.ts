import path from 'node:path';
import { resolveStaticPath } from './static-files';

describe('resolveStaticPath', () => {
  const root = path.resolve('/srv/page');

  it('maps paths inside the root and defaults to index.html', () => {
    expect(resolveStaticPath(root, 'participant.js')).toBe(path.join(root, 'participant.js'));
    expect(resolveStaticPath(root, '/sub/a.js')).toBe(path.join(root, 'sub/a.js'));
    expect(resolveStaticPath(root, '')).toBe(path.join(root, 'index.html'));
  });

  it('refuses traversal, encoded traversal, NUL bytes and bad escapes', () => {
    expect(resolveStaticPath(root, '../secret')).toBeUndefined();
    expect(resolveStaticPath(root, '%2e%2e/%2e%2e/etc/passwd')).toBeUndefined();
    expect(resolveStaticPath(root, 'a%00.js')).toBeUndefined();
    expect(resolveStaticPath(root, '%E0%A4%A')).toBeUndefined();
    expect(resolveStaticPath(root, '../page-other/x.js')).toBeUndefined();
  });
});
