// The nightly workflow's plan (.github/workflows/nightly-soak.yml, job `plan`):
// the proof matrix comes from the leak catalog at run time, never from a list
// copied into the YAML, so a renamed or new variant changes the night, not a
// file someone has to remember; and each job's timeout-minutes is derived from
// the durations the night was asked for, from measured wall times.
//
//   npm exec -- node scripts/ci-plan.ts [--only a,b|all] [--soak-duration 60m] [--calibration-budget 4h]
//
// prints `variants=["account-clone",…]`, `soak-timeout=…`, `calibration-timeout=…`
// lines, the format of $GITHUB_OUTPUT. Exit 0, or 2 (usage: an unknown variant
// is named with the valid ones, a malformed duration names its flag).

import { HELP_FLAG, type FlagSpecs, type FlagValues } from '../shared/cli/flags.ts';
import { resolveVariants } from '../harness/prove/options.ts';
import { runCommand, runMain, type Command } from '../harness/cli/command.ts';

/**
 * Measured wall times behind the timeouts (2 shared cores, Node 24.21, README
 * "Proving fixes"): one proof 3 min 44 s – 4 min 57 s (+≈ 1.5 min attribution), `prove all` 88 min 15 s (21 variants, --no-attribute);
 * `npm ci` ≈ 1 min on a cold runner. A soak's wall time is its load time plus
 * its checkpoints (a drain and two GCs each, a few seconds) and the report.
 */
export const WALL = {
  /** One proof job: npm ci + one proof ≤ 5 min, ×3 for a slower or busier runner. */
  proveJobMinutes: 20,
  /** A soak's wall time over its load time (checkpoints, start, report), with margin. */
  soakWallFactor: 1.25,
  /** npm ci, artifact upload, cache restore/save: added to every long job. */
  setupMinutes: 20,
  /** GitHub-hosted runners stop any job at 6 h. */
  hostedMaxMinutes: 360,
} as const;

export const PLAN_FLAGS = {
  only: { type: 'string', default: 'all', arg: 'a,b', help: 'catalog variants to prove, comma-separated, or all' },
  'soak-duration': { type: 'duration', min: 60_000, max: 24 * 3_600_000, default: 3_600_000, arg: 'time', help: 'load time of the long soak of the fixed relay' },
  'calibration-budget': { type: 'duration', min: 60_000, max: 24 * 3_600_000, default: 4 * 3_600_000, arg: 'time', help: "the calibration chunk's budget (it starts a run only if it ends inside it)" },
  help: HELP_FLAG,
} as const satisfies FlagSpecs;

export interface Plan {
  variants: string[];
  soakTimeoutMinutes: number;
  calibrationTimeoutMinutes: number;
}

/** The plan for these inputs; throws a usage error naming an unknown variant. */
export function planFor(values: FlagValues<typeof PLAN_FLAGS>): Plan {
  const minutes = (ms: number) => Math.ceil(ms / 60_000);
  return {
    // An empty input (a workflow_dispatch field cleared) means all, as the schedule does.
    variants: resolveVariants(values.only.trim() === '' ? 'all' : values.only, '--only'),
    soakTimeoutMinutes: Math.min(WALL.hostedMaxMinutes, minutes(values['soak-duration'] * WALL.soakWallFactor) + WALL.setupMinutes),
    calibrationTimeoutMinutes: Math.min(WALL.hostedMaxMinutes, minutes(values['calibration-budget']) + WALL.setupMinutes),
  };
}

/** `key=value` lines for $GITHUB_OUTPUT. */
export function planOutput(plan: Plan): string {
  return [`variants=${JSON.stringify(plan.variants)}`, `soak-timeout=${plan.soakTimeoutMinutes}`, `calibration-timeout=${plan.calibrationTimeoutMinutes}`].join('\n') + '\n';
}

export const planCommand: Command<typeof PLAN_FLAGS> = {
  name: 'ci-plan',
  usage: 'npm exec -- node scripts/ci-plan.ts [--only a,b|all] [--soak-duration 60m] [--calibration-budget 4h]',
  about: [
    "The nightly workflow's plan as $GITHUB_OUTPUT lines: the proof matrix (catalog variants, JSON)",
    "and the long soak's and calibration's timeout-minutes from the durations asked for.",
    `Timeouts are capped at ${WALL.hostedMaxMinutes} minutes, the longest job a GitHub-hosted runner runs.`,
  ],
  flags: PLAN_FLAGS,
  examples: ['npm exec -- node scripts/ci-plan.ts --only error-body,inflight-map >> "$GITHUB_OUTPUT"'],
  exitCodes: ['0 plan printed, 2 usage error (an unknown variant, a malformed duration).'],
  run({ values, io }) {
    const plan = planFor(values);
    io.stdout.write(planOutput(plan));
    const over = values['soak-duration'] * WALL.soakWallFactor > (WALL.hostedMaxMinutes - WALL.setupMinutes) * 60_000;
    if (over) io.stderr.write(`ci-plan: a ${Math.round(values['soak-duration'] / 60_000)}-minute soak does not fit a ${WALL.hostedMaxMinutes}-minute hosted job; use a self-hosted runner\n`);
    return 0;
  },
};

if (import.meta.main) runMain(() => runCommand(planCommand, process.argv.slice(2)), 'ci-plan');
