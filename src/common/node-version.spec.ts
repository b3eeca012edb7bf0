import { nodeVersionProblem } from './node-version';

describe('nodeVersionProblem', () => {
  it('refuses Node older than 20 with one clear line, accepts 20, 22 and 24', () => {
    expect(nodeVersionProblem('18.19.1')).toMatch(/needs Node.js 20 or newer.*this is Node.js 18.19.1/);
    expect(nodeVersionProblem('16.0.0')).toBeDefined();
    for (const v of ['20.20.2', '22.11.0', '24.3.0']) expect(nodeVersionProblem(v)).toBeUndefined();
  });
});
