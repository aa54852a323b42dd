// argv → UpstreamOptions for mocks/main.ts. Flags are declared once
// (shared/cli/flags.ts), so the ranges --help prints are the ones the parser
// accepts. Every error names the flag or plan field, for a one-line stderr
// message and exit 2.

import { readFileSync } from 'node:fs';
import { flagHelpLines, parseFlags, type FlagSpecs } from '../shared/cli/flags.ts';
import { RelaySoakError } from '../shared/errors.ts';
import { checkPlanAccounts, PlanError, validatePlan } from './plan.ts';
import { DEFAULT_IDLE_TIMEOUT_MS, MAX_IDLE_TIMEOUT_MS, MIN_IDLE_TIMEOUT_MS } from './idle.ts';
import type { UpstreamOptions } from './index.ts';

/** Every flag of mocks/main.ts. */
export const UPSTREAM_FLAGS = {
  port: { type: 'int', min: 0, max: 65_535, default: 0, arg: 'N', help: 'listen port, 0 = any' },
  seed: { type: 'int', min: 0, max: 2 ** 32 - 1, default: 42, arg: 'N', help: "account set and fault selection seed, same as the relay's" },
  accounts: { type: 'int', min: 1, max: 10_000_000, default: 5000, arg: 'N', help: "account set size, same as the relay's" },
  plan: { type: 'string', arg: 'FILE', help: 'fault plan JSON (see mocks/README.md; default: no faults)' },
  'completion-tokens': { type: 'int', min: 1, max: 1_000_000, default: 16, arg: 'N', help: 'tokens per completion (response size)' },
  'token-interval': { type: 'int', min: 0, max: 600_000, default: 0, arg: 'MS', help: 'delay between SSE chunks (token pacing)' },
  'idle-timeout': {
    type: 'int',
    min: MIN_IDLE_TIMEOUT_MS,
    max: MAX_IDLE_TIMEOUT_MS,
    default: DEFAULT_IDLE_TIMEOUT_MS,
    arg: 'MS',
    help: 'how long an idle keep-alive client connection stays open (real providers: minutes)',
  },
  'msw-only': { type: 'boolean', help: 'serve the plain 200 through msw too (no bridge fast path)' },
  help: { type: 'boolean', short: 'h', help: 'this text' },
} as const satisfies FlagSpecs;

/**
 * --help lines in declaration order: flagHelpLines (with default and range) for
 * numbers and switches, `--plan FILE` for a string value.
 */
function helpLines(specs: FlagSpecs, width = 30): string[] {
  return Object.entries(specs).map(([name, spec]) =>
    spec.type === 'string' ? `  ${`    --${name} ${spec.arg ?? 'value'}`.padEnd(width)} ${spec.help}` : flagHelpLines({ [name]: spec }, width)[0]!,
  );
}

export const HELP = `Usage: node mocks/main.ts [--port 0] [--seed 42] [--accounts 5000] [--plan plan.json]

The fake LLM provider (msw handlers on a real socket, 127.0.0.1 only).
Prints "upstream: listening on http://127.0.0.1:PORT" on stdout when ready.

Options:
${helpLines(UPSTREAM_FLAGS).join('\n')}
`;

export class CliError extends RelaySoakError<'MOCK_ERR_CLI'> {
  /** The flag or plan field at fault, e.g. `--port` or `plan.rules[2].probability`. */
  readonly field: string;
  constructor(field: string, problem: string) {
    super('MOCK_ERR_CLI', `${field}: ${problem}`);
    this.field = field;
  }
}

export type CliCommand = { kind: 'help' } | { kind: 'run'; options: UpstreamOptions };

function readPlan(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new CliError('--plan', `cannot read ${JSON.stringify(path)} (${code})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError('--plan', `${JSON.stringify(path)} is not valid JSON (${(error as Error).message})`);
  }
}

export function parseCli(argv: readonly string[]): CliCommand {
  const { values } = parseFlags(UPSTREAM_FLAGS, argv, { error: (flag, problem) => new CliError(flag, problem) });
  if (values.help) return { kind: 'help' };
  const options: UpstreamOptions = {
    port: values.port,
    seed: values.seed,
    accounts: values.accounts,
    completionTokens: values['completion-tokens'],
    tokenIntervalMs: values['token-interval'],
    idleTimeoutMs: values['idle-timeout'],
    fastPath: !values['msw-only'],
  };
  if (values.plan !== undefined) {
    try {
      options.plan = validatePlan(readPlan(values.plan));
      checkPlanAccounts(options.plan, options.accounts);
    } catch (error) {
      if (error instanceof PlanError) throw new CliError(error.field, error.message.slice(error.field.length + 2));
      throw error;
    }
  }
  return { kind: 'run', options };
}
