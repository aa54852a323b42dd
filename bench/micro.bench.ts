// `npm run bench`: each catalog mechanism's leaky and fixed code path in
// isolation, the relay's own modules called directly (no HTTP, except the
// error body's, which is an HTTP body by nature), timed with tinybench and
// weighed with bench/micro/memory.ts: ops/s ± margin, mean latency, heap
// bytes allocated and bytes retained per op, and each way against the fixed
// one on the same line. The isolated code-path view; bench/leak-costs.ts is
// the per-event cost through the real relay.
//
//   flock /tmp/soak-bench.lock npm run bench [-- --only account-clone,lazy-lru --time 500 --json FILE]

import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { HELP_FLAG, type FlagSpecs } from '../shared/cli/flags.ts';
import { usageError } from '../harness/errors.ts';
import { runCommand, runMain, throwIfInterrupted, type Command } from '../harness/cli/command.ts';
import type { MicroCase } from './micro/case.ts';
import { accountLookupCases } from './micro/account-lookup.ts';
import { lruCases } from './micro/lru.ts';
import { errorBodyCases } from './micro/error-body.ts';
import { syncTrackerCases } from './micro/sync-tracker.ts';
import { measureCase, type Row } from './micro/run.ts';
import { compare, formatTable } from './micro/table.ts';

/** Mechanism (the catalog variant it belongs to) → its cases, in table order. */
const MECHANISMS: Readonly<Record<string, () => MicroCase[]>> = {
  'account-clone': accountLookupCases,
  'lazy-lru': lruCases,
  'error-body': errorBodyCases,
  'sync-tracker': syncTrackerCases,
};
const NAMES = Object.keys(MECHANISMS);

const FLAGS = {
  only: { type: 'string', nonEmpty: true, arg: 'names', help: `comma-separated mechanisms to run (default all: ${NAMES.join(', ')})` },
  time: { type: 'int', min: 10, max: 60_000, default: 1_000, arg: 'MS', help: 'tinybench time budget per task (each task also has an iteration cap)' },
  json: { type: 'string', nonEmpty: true, arg: 'FILE', help: 'also write the rows and the run facts as JSON to FILE' },
  help: HELP_FLAG,
} as const satisfies FlagSpecs;

export function selectMechanisms(only: string | undefined): string[] {
  if (only === undefined) return NAMES;
  const names = only.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const name of names) {
    if (!(name in MECHANISMS)) throw usageError(`--only: unknown mechanism ${JSON.stringify(name)} (known: ${NAMES.join(', ')})`);
  }
  if (names.length === 0) throw usageError('--only: expected at least one mechanism');
  return NAMES.filter((n) => names.includes(n));
}

export const microCommand: Command<typeof FLAGS> = {
  name: 'bench',
  usage: 'flock /tmp/soak-bench.lock npm run bench [-- --only NAMES] [--time MS] [--json FILE]',
  about: [
    "Micro-benchmarks of each catalog mechanism's leaky vs fixed code path, the relay's own modules called",
    'directly: account lookup (listClones+scan vs index) at 1k/5k/100k accounts, the idempotency cache',
    'under unique keys (lazy vs eager eviction), a 256 KiB error body (the relay\'s readErrorBodyPreFix vs',
    'readCapped, and undici dump()/drain/destroy/untouched on a loopback server), the sync tracker kept vs',
    'cleared. One table: ops/s ± tinybench rme, mean latency, V8 heap bytes allocated per op (GC-corrected),',
    'bytes retained per op after GC, and each row against the fixed row of its mechanism and size.',
  ],
  flags: FLAGS,
  more: [
    'Run it alone (flock /tmp/soak-bench.lock): it measures time and heap on a shared machine.',
    'The 100k-account clone runs exactly 3 timed ops (each takes seconds); leaky paths stop at an iteration cap.',
  ],
  exitCodes: ['0 table printed; 2 bad flags (nothing run); 3 a case failed; 130/143 interrupted.'],
  async run({ values, io, signal }) {
    const mechanisms = selectMechanisms(values.only);
    const started = new Date();
    const t0 = performance.now();
    io.stdout.write(`bench (micro): Node ${process.version}, V8 ${process.versions.v8}, ${os.availableParallelism()} cores, --time ${values.time} ms per task, mechanisms ${mechanisms.join(', ')}\n`);
    const cases = mechanisms.flatMap((m) => MECHANISMS[m]!());
    const rows: Row[] = [];
    try {
      for (const c of cases) {
        throwIfInterrupted(signal);
        rows.push(await measureCase(c, values.time, signal));
        await c.release?.();
      }
    } finally {
      for (const c of cases) await c.release?.();
    }
    const compared = compare(rows);
    const wallMs = performance.now() - t0;
    io.stdout.write('\n' + formatTable(compared));
    io.stdout.write([
      '',
      "ops/s = 1000 / mean latency; ±rme = tinybench's 95 % relative margin of the mean latency. slower = fixed ops/s ÷ this",
      'ops/s, alloc × = this alloc ÷ fixed alloc (same mechanism and size). alloc B/op: V8 heap bytes allocated per op,',
      'garbage included (heap growth + bytes freed by the GCs inside the batch, v8.GCProfiler). retained B/op: post-GC',
      "heapUsed + arrayBuffers growth per op, the code path keeping what it keeps. · = neither the relay's bug nor its fix.",
      `wall time ${(wallMs / 1000).toFixed(1)} s`,
      '',
    ].join('\n'));
    if (values.json !== undefined) {
      const record = { node: process.version, v8: process.versions.v8, cores: os.availableParallelism(), started: started.toISOString(), wallMs: Math.round(wallMs), timeMsPerTask: values.time, mechanisms, rows: compared };
      await writeFile(values.json, JSON.stringify(record, null, 2) + '\n');
      io.stdout.write(`json: ${values.json}\n`);
    }
    return 0;
  },
};

if (import.meta.main) runMain(() => runCommand(microCommand, process.argv.slice(2)), 'bench');
