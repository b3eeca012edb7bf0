/**
 * The Node.js majors recbot supports: 20 (past end of life, still tested on these machines), 22 and
 * 24 (LTS; the image ships 24). Imported first by the CLI entry so that an older Node stops with one
 * clear line instead of a syntax or API error deep inside a dependency.
 */
export const MIN_NODE_MAJOR = 20;
export const TESTED_NODE_MAJORS = [20, 22, 24];

/** A message when `version` (e.g. "18.19.0") is unsupported; undefined when it is fine. */
export function nodeVersionProblem(version: string): string | undefined {
  const major = Number(version.split('.')[0]);
  if (!Number.isInteger(major) || major < MIN_NODE_MAJOR) {
    return `recbot needs Node.js ${MIN_NODE_MAJOR} or newer (tested: ${TESTED_NODE_MAJORS.join(', ')}); this is Node.js ${version}. Install a current LTS release.`;
  }
  return undefined;
}

const problem = nodeVersionProblem(process.versions.node);
if (problem) {
  process.stderr.write(`recbot: ${problem}\n`);
  process.exit(1);
}
