// `npm run soak -- ...`: a thin shell over the harness API (runSoak,
// compareRuns, ...). Everything it does is callable from code.
//
// Exit codes: 0 no leak, 1 leak / regression / failed proof, 2 usage error
// (nothing started), 3 run could not complete, 130/143 interrupted.

import { parseArgs } from 'node:util';
import { EXIT, SoakError, usageError } from './errors.ts';
import { runSoak, interruptReason, type SoakOptions, type TargetSpec } from './soak.ts';
import { listScenarios, parseDuration } from '../scenarios/index.ts';
import { LEAK_CATALOG } from '../relay/leaks/catalog.ts';
import { formatDuration } from './progress.ts';
import { compareMain } from './compare-cli.ts';
import { proveMain } from './prove.ts';

const OPTIONS = {
  scenario: { type: 'string', default: 'mixed', help: 'scenario to run; `list` shows them' },
  accounts: { type: 'string', help: 'accounts in the relay pool (scenario default: 5000)' },
  duration: { type: 'string', help: 'load time, e.g. 60s, 5m, 2h (scenario default: 5m)' },
  rate: { type: 'string', help: 'open model: target requests per second (scales the scenario)' },
  connections: { type: 'string', help: 'closed model: concurrent connections instead of a rate' },
  seed: { type: 'string', default: '42', help: 'seed for accounts, fault plan and request mix' },
  leak: { type: 'string', help: 'comma-separated leak variants to switch on in the relay; `list` shows them' },
  'target-cmd': { type: 'string', help: "soak your own relay: 'node my-relay.js --port {port} --upstream {upstream}'" },
  'target-pid': { type: 'string', help: 'attach to a running process (with --target-url): /proc sampling only' },
  'target-url': { type: 'string', help: 'URL of the process given by --target-pid (loopback only)' },
  out: { type: 'string', help: 'run folder (default reports/runs/<run-id>)' },
  'sample-interval': { type: 'string', default: '2s', help: 'continuous sampling period, 1s–5s' },
  'no-probe': { type: 'boolean', default: false, help: 'do not preload the probe into the target (/proc sampling only)' },
  quiet: { type: 'boolean', short: 'q', default: false, help: 'no progress output' },
  help: { type: 'boolean', short: 'h', default: false, help: 'show this help' },
} as const;

type Parsed = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

export function helpText(): string {
  const lines = [
    'Usage: npm run soak -- [options]',
    '',
    'Starts the fake upstream and the reference relay (or your relay), drives a scripted',
    'scenario, samples the target continuously and at drained post-GC checkpoints, and',
    'writes a run folder (reports/runs/<run-id>/).',
    '',
    'Options:',
  ];
  for (const [name, spec] of Object.entries(OPTIONS)) {
    const s = spec as { type: string; default?: unknown; short?: string; help: string };
    const flag = `${s.short ? `-${s.short}, ` : '    '}--${name}${s.type === 'string' ? ' <value>' : ''}`;
    const def = s.default !== undefined && s.type === 'string' ? ` (default: ${String(s.default)})` : '';
    lines.push(`  ${flag.padEnd(32)} ${s.help}${def}`);
  }
  lines.push(
    '',
    'Examples:',
    '  npm run soak -- --accounts 5000',
    '  npm run soak -- --scenario error-storm --duration 10m --leak error-body',
    "  npm run soak -- --target-cmd 'node my-relay.js --port {port} --upstream {upstream}'",
    '',
    'Other commands:',
    '  npm run soak -- compare <runA> <runB> [--force]   is the fix proven? (compare --help)',
    '  npm run soak -- --prove <variant>|all             leaky vs fixed run per catalog variant (--prove all --help)',
    '',
    'Exit codes: 0 no leak, 1 leak or regression, 2 usage error (nothing started),',
    '            3 run could not complete (target crashed, readiness timeout), 130/143 interrupted.',
  );
  return lines.join('\n');
}

function intFlag(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v.trim())) throw usageError(`--${flag}: expected an integer, got "${v}"`);
  return Number(v);
}

function numFlag(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw usageError(`--${flag}: expected a number, got "${v}"`);
  return n;
}

function durationFlag(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  try {
    return parseDuration(v);
  } catch {
    throw usageError(`--${flag}: expected a duration like 90s, 5m, 2h or 1500ms, got "${v}"`);
  }
}

/**
 * `--rate -5` is ambiguous to parseArgs (a value or a flag?). A string flag
 * followed by a number is a value: join them so validation can say what is
 * wrong with it.
 */
function joinNegativeValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const name = a.startsWith('--') ? a.slice(2) : null;
    const spec = name ? (OPTIONS as Record<string, { type: string }>)[name] : undefined;
    const next = argv[i + 1];
    if (spec?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** Turn argv into SoakOptions, or throw a usage error naming the flag. */
export function parseSoakArgs(argv: string[]): { options: SoakOptions; values: Parsed } {
  let values: Parsed;
  try {
    const parsed = parseArgs({ args: joinNegativeValues(argv), options: OPTIONS as never, strict: true, allowPositionals: false });
    values = parsed.values as Parsed;
  } catch (err) {
    throw usageError((err as Error).message.split('\n')[0]!);
  }
  const target = parseTarget(values);
  const options: SoakOptions = {
    scenario: values.scenario,
    accounts: intFlag('accounts', values.accounts),
    durationMs: durationFlag('duration', values.duration),
    rate: numFlag('rate', values.rate),
    connections: intFlag('connections', values.connections),
    seed: intFlag('seed', values.seed),
    leaks: values.leak ? values.leak.split(',') : [],
    target,
    out: values.out,
    sampleIntervalMs: durationFlag('sample-interval', values['sample-interval']),
    probe: values['no-probe'] ? false : undefined,
  };
  if (options.rate !== undefined && options.connections !== undefined) {
    throw usageError('--rate and --connections are exclusive: choose the open model (rate) or the closed model (connections)');
  }
  return { options, values };
}

function parseTarget(values: Parsed): TargetSpec | undefined {
  const cmd = values['target-cmd'];
  const pid = values['target-pid'];
  const url = values['target-url'];
  if (cmd !== undefined && (pid !== undefined || url !== undefined)) {
    throw usageError('--target-cmd cannot be combined with --target-pid/--target-url');
  }
  if (cmd !== undefined) return { kind: 'cmd', command: cmd };
  if (pid !== undefined || url !== undefined) {
    if (pid === undefined) throw usageError('--target-url needs --target-pid');
    if (url === undefined) throw usageError('--target-pid needs --target-url');
    return { kind: 'pid', pid: intFlag('target-pid', pid)!, url };
  }
  return undefined;
}

function printScenarios(): void {
  const list = listScenarios();
  const width = Math.max(...list.map((s) => s.name.length));
  for (const s of list) process.stdout.write(`${s.name.padEnd(width)}  ${s.description}\n`);
}

function printLeaks(): void {
  if (LEAK_CATALOG.length === 0) {
    process.stdout.write('(the leak catalog is empty)\n');
    return;
  }
  const width = Math.max(...LEAK_CATALOG.map((l) => l.name.length));
  for (const l of LEAK_CATALOG) process.stdout.write(`${l.name.padEnd(width)}  ${l.summary}\n`);
}

export async function main(argv: string[]): Promise<number> {
  // Subcommands with their own flags: `compare <runA> <runB>` and `--prove <variant>|all`.
  if (argv[0] === 'compare') return compareMain(argv.slice(1));
  if (argv.some((a) => a === '--prove' || a.startsWith('--prove='))) return proveMain(argv);
  let parsed: ReturnType<typeof parseSoakArgs>;
  try {
    parsed = parseSoakArgs(argv);
  } catch (err) {
    return reportError(err);
  }
  const { options, values } = parsed;
  if (values.help) {
    process.stdout.write(helpText() + '\n');
    return EXIT.ok;
  }
  if (values.scenario === 'list') {
    printScenarios();
    return EXIT.ok;
  }
  if (values.leak === 'list') {
    printLeaks();
    return EXIT.ok;
  }

  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) return;
    process.stderr.write(`\n${signal}: stopping the run and its children…\n`);
    controller.abort(interruptReason(signal));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const result = await runSoak({ ...options, signal: controller.signal, progressStream: values.quiet ? undefined : process.stderr });
    const o = result.outcome;
    process.stdout.write(`run folder: ${result.runDir}\n`);
    process.stdout.write(`outcome: ${o.status}${o.status === 'failed' ? ` (${o.code})` : ''}; ${result.checkpoints} checkpoints, ${result.samples} samples, ${result.requestsCompleted} requests\n`);
    if (result.verdictText) process.stdout.write(`\n${result.verdictText}\n`);
    if (o.status === 'target-crashed') {
      process.stdout.write(`target exited with code ${o.exitCode}, signal ${o.signal}; last stderr lines:\n${o.stderrTail.map((l) => `  ${l}`).join('\n')}\n`);
    } else if (o.status === 'failed') {
      process.stdout.write(`${o.error}\n`);
    }
    return result.exitCode;
  } catch (err) {
    return reportError(err);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function reportError(err: unknown): number {
  if (err instanceof SoakError) {
    process.stderr.write(`soak: ${err.message}\n`);
    for (const d of err.details) process.stderr.write(`${d}\n`);
    return err.exitCode;
  }
  process.stderr.write(`soak: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
  return EXIT.incomplete;
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.exitCode = reportError(err);
    },
  );
}

export { formatDuration };
