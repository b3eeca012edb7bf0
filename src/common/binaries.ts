import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { MissingBinaryError } from './errors';

/** Resolve an executable on PATH (or an absolute path); undefined when missing. */
export function findBinary(name: string, pathEnv: string = process.env.PATH ?? ''): string | undefined {
  const candidates = isAbsolute(name) || name.includes('/') ? [name] : pathEnv.split(delimiter).map((d) => join(d, name));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/** Something the configured roles need on this machine, and the Debian package that provides it. */
export interface Requirement {
  /** A binary name (looked up on PATH) or, with `file`, a path that must exist. */
  name: string;
  debianPackage: string;
  /** Why it is needed (printed when missing). */
  why: string;
  file?: boolean;
}

/** The requirements that are not met on this machine. */
export function missingRequirements(reqs: Requirement[], pathEnv?: string): Requirement[] {
  return reqs.filter((r) => (r.file ? !existsSync(r.name) : !findBinary(r.name, pathEnv)));
}

/** Throw one MissingBinaryError naming everything missing and the one command that installs it. */
export function requireAll(reqs: Requirement[], pathEnv?: string): void {
  const missing = missingRequirements(reqs, pathEnv);
  if (missing.length > 0) throw new MissingBinaryError(missing);
}

/** Throw MissingBinaryError for missing binaries (no package known: the install script is named). */
export function requireBinaries(names: string[]): void {
  requireAll(names.map((name) => ({ name, debianPackage: '', why: '' })));
}
