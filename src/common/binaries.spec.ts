import { MissingBinaryError } from './errors';
import { missingRequirements, requireAll } from './binaries';

describe('requireAll', () => {
  it('names everything missing in one error, with the packages that install it', () => {
    let caught: unknown;
    try {
      requireAll(
        [
          { name: 'sh', debianPackage: 'dash', why: 'present' },
          { name: 'recbot-no-such-bin', debianPackage: 'pkg-a', why: 'media' },
          { name: '/no/such/model', debianPackage: 'pkg-b', why: 'model', file: true },
        ],
        '/usr/bin:/bin',
      );
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(MissingBinaryError);
    const err = caught as MissingBinaryError;
    expect(err.binaries).toEqual(['recbot-no-such-bin', '/no/such/model']);
    expect(err.message).toContain("'recbot-no-such-bin' (media)");
    expect(err.message).toContain('apt-get install -y pkg-a pkg-b');
    expect(err.message.split('\n')).toHaveLength(1);
  });

  it('passes when all are present', () => {
    expect(missingRequirements([{ name: 'sh', debianPackage: 'dash', why: '' }, { name: '/', debianPackage: '', why: '', file: true }], '/usr/bin:/bin')).toEqual([]);
  });
});
