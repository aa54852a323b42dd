// The default verb: one soak run (`npm run soak -- [options]`).

import { join } from 'node:path';
import { usageError } from '../errors.ts';
import { runSuite } from '../output/junit.ts';
import { checkJunitFile, writeCiOutputs } from '../output/write.ts';
import { buildReport, runSoak, type SoakOptions, type TargetSpec, SOAK_FLAGS } from '../index.ts';
import { listScenarios } from '../../scenarios/index.ts';
import { LEAK_CATALOG } from '../../relay/leaks/catalog.ts';
import type { FlagValues } from '../../shared/cli/flags.ts';
import type { Command, CommandIo } from './command.ts';

type SoakValues = FlagValues<typeof SOAK_FLAGS>;
type ClientAuth = NonNullable<NonNullable<SoakOptions['client']>['auth']>;
type ClientApiName = NonNullable<NonNullable<SoakOptions['client']>['api']>;

/** Flag values → SoakOptions, or a usage error naming the flag. Nothing is started. */
export function soakOptionsFrom(values: SoakValues): SoakOptions {
  if (values.rate !== undefined && values.connections !== undefined) {
    throw usageError('--rate and --connections are exclusive: choose the open model (rate) or the closed model (connections)');
  }
  const target = targetFrom(values);
  return {
    scenario: values.scenario,
    accounts: values.accounts,
    durationMs: values.duration,
    rate: values.rate,
    connections: values.connections,
    seed: values.seed,
    leaks: values.leak ? values.leak.split(',') : [],
    target,
    targetProfile: values['target-profile'],
    targetConfigs: values['target-config'],
    // The parser checked --auth and --api against their choices (SOAK_FLAGS).
    client: {
      headers: values.header,
      auth: values.auth as ClientAuth,
      clientKeysFile: values['client-keys-file'],
      api: values.api as ClientApiName,
      model: values.model,
    },
    out: values.out,
    sampleIntervalMs: values['sample-interval'],
    probe: values['no-probe'] ? false : undefined,
    heapSamplingKiB: values['heap-sampling'],
    attribute: attributeFrom(values),
    keepSnapshots: values['keep-snapshots'] === true ? true : undefined,
    profile: values.profile,
    targetMetrics: values['target-metrics'],
    targetPprof: values['target-pprof'],
    judgeMetrics: values['judge-metric'].length > 0 ? values['judge-metric'] : undefined,
    budget: values.budget,
    productionRate: values['production-rate'],
    ...(values.floor !== undefined ? { floor: values.floor as 'fixed' | 'adaptive' } : {}),
    ...(values.checkpoints !== undefined ? { minCheckpoints: values.checkpoints } : {}),
    ...(values['until-verdict'] ? { untilVerdict: true } : {}),
  };
}

function attributeFrom(values: SoakValues): SoakOptions['attribute'] {
  if (values.attribute && values['no-attribute']) throw usageError('--attribute and --no-attribute are exclusive');
  return values.attribute ? 'always' : values['no-attribute'] ? 'never' : undefined;
}

function targetFrom(values: SoakValues): TargetSpec | undefined {
  const cmd = values['target-cmd'];
  const pid = values['target-pid'];
  const url = values['target-url'];
  if (cmd !== undefined && pid !== undefined) {
    throw usageError('--target-cmd cannot be combined with --target-pid/--target-url');
  }
  // With --target-cmd, --target-url says where under the port the relay lives (http://127.0.0.1:{port}/gateway).
  if (cmd !== undefined) return { kind: 'cmd', command: cmd, ...(url === undefined ? {} : { url }) };
  if (pid !== undefined || url !== undefined) {
    if (pid === undefined) throw usageError('--target-url needs --target-pid');
    if (url === undefined) throw usageError('--target-pid needs --target-url');
    return { kind: 'pid', pid, url };
  }
  return undefined;
}

function printScenarios(io: CommandIo): void {
  const list = listScenarios();
  const width = Math.max(...list.map((s) => s.name.length));
  for (const s of list) io.stdout.write(`${s.name.padEnd(width)}  ${s.description}\n`);
}

function printLeaks(io: CommandIo): void {
  if (LEAK_CATALOG.length === 0) {
    io.stdout.write('(the leak catalog is empty)\n');
    return;
  }
  const width = Math.max(...LEAK_CATALOG.map((l) => l.name.length));
  for (const l of LEAK_CATALOG) io.stdout.write(`${l.name.padEnd(width)}  ${l.summary}\n`);
}

export const VERBS_HELP = [
  'Commands (each has --help):',
  '  npm run soak -- [options]                        one soak run (this help)',
  '  npm run soak -- prove <variant>|all [options]    leaky vs fixed run per catalog variant (alias: --prove <variant>)',
  '  npm run soak -- compare <runA> <runB> [--force]  is the fix proven? (A = before/leaky, B = after/fixed)',
  '  npm run soak -- calibrate [--quick] [options]    the harness\'s own accuracy on ground-truth leaks (≈ 30 min with --quick)',
  '  npm run soak -- report <runDir> [--open]         the run\'s HTML report (written by every run; this rebuilds it)',
  '  npm run soak -- index <folder>                   index.html over a folder of runs and proofs (a night\'s results)',
  '  npm run soak -- merge <folder>... --out <dir>    many shards\' runs into one folder and index; exit 1 on a regression',
];

export const soakCommand: Command<typeof SOAK_FLAGS> = {
  name: 'soak',
  usage: 'npm run soak -- [options]   or   npm run soak -- <command> [options]',
  about: [
    'Starts the fake upstream and the reference relay (or your relay), drives a scripted',
    'scenario, samples the target continuously and at drained post-GC checkpoints, and',
    'writes a run folder (reports/runs/<run-id>/).',
  ],
  flags: SOAK_FLAGS,
  more: VERBS_HELP,
  examples: [
    'npm run soak -- --accounts 5000',
    'npm run soak -- --scenario error-storm --duration 10m --leak error-body',
    "npm run soak -- --target-cmd 'node my-relay.js --port {port} --upstream {upstream}'",
    "npm run soak -- --target-cmd 'node gw.js --port {port}' --header 'x-provider: mock' --auth x-api-key --client-keys-file keys.txt --api responses",
    'npm run soak -- prove error-body',
  ],
  exitCodes: [
    '0 no leak (NO-LEAK or INCONCLUSIVE), 1 LEAK, 2 usage error (nothing started),',
    '3 run could not complete (target crashed, readiness timeout), 4 the target did not serve',
    'the load (< 90 % of non-fault requests answered correctly: no verdict stands), 129/130/143 interrupted (SIGHUP/SIGINT/SIGTERM).',
  ],
  async run({ values, io, signal }) {
    const options = soakOptionsFrom(values);
    if (values.scenario === 'list') {
      printScenarios(io);
      return 0;
    }
    if (values.leak === 'list') {
      printLeaks(io);
      return 0;
    }
    checkJunitFile(values.junit);
    const startedAt = new Date();
    const result = await runSoak({ ...options, signal, ...(values.quiet ? {} : { progressStream: io.stderr }) });
    const o = result.outcome;
    io.stdout.write(`run folder: ${result.runDir}\n`);
    io.stdout.write(`outcome: ${o.status}${o.status === 'failed' ? ` (${o.code})` : ''}; ${result.checkpoints} checkpoints, ${result.samples} samples, ${result.requestsCompleted} requests\n`);
    if (result.verdictText) io.stdout.write(`\n${result.verdictText}\n`);
    if (o.status === 'target-crashed') {
      io.stdout.write(`target exited with code ${o.exitCode}, signal ${o.signal}; last stderr lines:\n${o.stderrTail.map((l) => `  ${l}`).join('\n')}\n`);
    } else if (o.status === 'failed') {
      io.stdout.write(`${o.error}\n`);
    }
    // The report is built from the folder, whatever ended the run; failing to build it does not change the run's exit code.
    let reportFile: string | null = null;
    try {
      reportFile = (await buildReport(result.runDir)).file;
      io.stdout.write(`report: ${reportFile}\n`);
    } catch (err) {
      io.stderr.write(`soak: no report: ${(err as Error).message}\n`);
    }
    // JUnit and the GitHub job summary (harness/output/): what CI systems read.
    const suite = runSuite({
      scenario: result.verdict?.run.scenario ?? options.scenario ?? 'mixed',
      outcome: o,
      verdict: result.verdict,
      wallMs: Date.now() - startedAt.getTime(),
      startedAt: startedAt.toISOString(),
      runDir: result.runDir,
      reportFile,
    });
    const written = writeCiOutputs([suite], { junitFile: values.junit, stderr: io.stderr, name: 'soak' });
    if (written.junit) io.stdout.write(`junit: ${written.junit}\n`);
    if (result.profile) {
      const p = result.profile;
      io.stdout.write(p.files.length > 0 ? `profile (${p.tool === 'clinic' ? `clinic ${p.mode}` : `node --${p.mode === 'heap' || p.mode === 'heapprofiler' ? 'heap' : 'cpu'}-prof`}): ${p.files.map((f) => join(result.runDir, f)).join(', ')}\n` : 'profile: the target wrote no profile (it did not exit cleanly?)\n');
    }
    return result.exitCode;
  },
};
