import { accessSync, constants } from 'node:fs';
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

/** Throw MissingBinaryError (naming the installer) for the first missing binary. */
export function requireBinaries(names: string[]): void {
  for (const n of names) if (!findBinary(n)) throw new MissingBinaryError(n);
}
