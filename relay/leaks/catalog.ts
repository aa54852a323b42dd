// The catalog of switchable bugs ("leaks") the relay can be started with.
// Each entry names one real-world leak mechanism; the variant code lives next
// to the fixed code it replaces and runs only when its name is in
// RelayOptions.leaks. With no leak selected, no variant code runs.
//
// Empty for now: the leak catalog issue fills it. The plumbing (CLI flag,
// env var, validation, `--leak list`) is already live so that adding an entry
// is the only change needed.

import { ConfigError } from '../errors.ts';

export interface LeakEntry {
  /** The name used on the CLI: `--leak <name>`. */
  readonly name: string;
  /** One line: what is kept that should not be. */
  readonly summary: string;
  /** Which relay feature it lives in (idempotency cache, scheduler, ...). */
  readonly area: string;
}

export const LEAK_CATALOG: readonly LeakEntry[] = [];

const BY_NAME: ReadonlyMap<string, LeakEntry> = new Map(LEAK_CATALOG.map((e) => [e.name, e]));

/** Parses `a,b` (from `--leak` or RELAY_LEAKS) into a validated set. */
export function parseLeaks(text: string, flag = '--leak'): ReadonlySet<string> {
  const names = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const name of names) {
    if (!BY_NAME.has(name)) {
      const known = LEAK_CATALOG.length === 0 ? 'the catalog is empty' : `known: ${LEAK_CATALOG.map((e) => e.name).join(', ')}`;
      throw new ConfigError(flag, `unknown leak ${JSON.stringify(name)} (${known}; see --leak list)`);
    }
  }
  return new Set(names);
}

/** The text `--leak list` prints. */
export function formatCatalog(): string {
  if (LEAK_CATALOG.length === 0) return 'no leaks in the catalog yet\n';
  const width = Math.max(...LEAK_CATALOG.map((e) => e.name.length));
  return LEAK_CATALOG.map((e) => `${e.name.padEnd(width)}  [${e.area}] ${e.summary}`).join('\n') + '\n';
}
