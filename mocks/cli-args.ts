// argv → UpstreamOptions for mocks/main.ts (node:util parseArgs). Every error
// names the flag or plan field, for a one-line stderr message and exit 2.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { checkPlanAccounts, PlanError, validatePlan } from './plan.ts';
import type { UpstreamOptions } from './index.ts';

export const HELP = `Usage: node mocks/main.ts [--port 0] [--seed 42] [--accounts 5000] [--plan plan.json]

The fake LLM provider (msw handlers on a real socket, 127.0.0.1 only).
Prints "upstream: listening on http://127.0.0.1:PORT" on stdout when ready.

Options (default in brackets):
  --port N                 listen port, 0 = any [0]
  --seed N                 account set and fault selection seed, same as the relay's [42]
  --accounts N             account set size, same as the relay's [5000]
  --plan FILE              fault plan JSON (see mocks/README.md) [no faults]
  --completion-tokens N    tokens per completion (response size) [16]
  --token-interval MS      delay between SSE chunks (token pacing) [0]
  --msw-only               serve the plain 200 through msw too (no bridge fast path)
  -h, --help               this text
`;

export class CliError extends Error {
  readonly code = 'MOCK_ERR_CLI';
  /** The flag or plan field at fault, e.g. `--port` or `plan.rules[2].probability`. */
  readonly field: string;
  constructor(field: string, problem: string) {
    super(`${field}: ${problem}`);
    this.name = 'CliError';
    this.field = field;
  }
}

export type CliCommand = { kind: 'help' } | { kind: 'run'; options: UpstreamOptions };

function integer(flag: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  // Whole decimal digits only: Number() would also take "1e3", "0x10", " 5".
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new CliError(flag, `expected an integer in [${min}, ${max}], got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

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
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        seed: { type: 'string' },
        accounts: { type: 'string' },
        plan: { type: 'string' },
        'completion-tokens': { type: 'string' },
        'token-interval': { type: 'string' },
        'msw-only': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    // parseArgs messages name the option ("Unknown option '--x'"): keep them.
    // First line only: the contract is one stderr line.
    const message = (error as Error).message.split('\n')[0]!;
    const match = /'(-[^']+)'/.exec(message);
    throw new CliError(match?.[1]?.split(' ')[0] ?? 'arguments', message);
  }
  if (values.help) return { kind: 'help' };
  const options: UpstreamOptions = {
    port: integer('--port', values.port, 0, 0, 65535),
    seed: integer('--seed', values.seed, 42, 0, 2 ** 32 - 1),
    accounts: integer('--accounts', values.accounts, 5000, 1, 10_000_000),
    completionTokens: integer('--completion-tokens', values['completion-tokens'], 16, 1, 1_000_000),
    tokenIntervalMs: integer('--token-interval', values['token-interval'], 0, 0, 600_000),
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
