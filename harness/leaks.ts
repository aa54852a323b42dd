// Leak variant names are validated against the relay's catalog before anything
// starts, so `--leak typo` fails with the list of valid names (exit 2).

import { usageError } from './errors.ts';
import { LEAK_CATALOG } from '../relay/leaks/catalog.ts';

export function leakNames(): string[] {
  return LEAK_CATALOG.map((l) => l.name);
}

export function validateLeakNames(names: readonly string[]): string[] {
  const valid = new Set(leakNames());
  const out: string[] = [];
  for (const raw of names) {
    const name = raw.trim();
    if (name === '') continue;
    if (!valid.has(name)) {
      const list = valid.size > 0 ? [...valid].join(', ') : '(the catalog is empty)';
      throw usageError(`--leak: unknown variant "${name}"; valid: ${list}`);
    }
    if (!out.includes(name)) out.push(name);
  }
  return out;
}
