// One error base, one prefix per package, one table from code to exit code.
// Every error class of the project extends RelaySoakError; every error code
// literal in the source starts with its package's prefix; the exit code of an
// error is the table's, whatever package threw it.

import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT, EXIT_FOR_CODE, exitCodeOf, SoakError, VerdictError } from '../../harness/index.ts';
import { exitForSignal, INTERRUPT_SIGNALS, interruptedError } from '../../harness/errors.ts';
import { LoadError } from '../../harness/load/errors.ts';
import { LedgerError } from '../../harness/calibrate/ledger.ts';
import { SamplerError } from '../../harness/sampler/errors.ts';
import { ScenarioError } from '../../scenarios/errors.ts';
import { ConfigError, RelayError } from '../../relay/errors.ts';
import { PlanError } from '../../mocks/plan.ts';
import { FlagError } from '../../shared/cli/flags.ts';
import { RelaySoakError } from '../../shared/errors.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const PREFIX_OF: Record<string, string> = { harness: 'SOAK_ERR_', scenarios: 'SCENARIO_ERR_', relay: 'RELAY_ERR_', mocks: 'MOCK_ERR_', shared: 'FLAG_ERR_' };

describe('errors', () => {
  it('every error class extends the one base and keeps its code', () => {
    const errors = [
      new SoakError('SOAK_ERR_USAGE', 'x'),
      new VerdictError('SOAK_ERR_RUN_MISMATCH', 'x'),
      new LoadError('SOAK_ERR_LOAD_TARGET', 'url', 'x'),
      new LedgerError('x'),
      new SamplerError('SOAK_ERR_TARGET_GONE', 'x'),
      new ScenarioError('SCENARIO_ERR_UNKNOWN', '--scenario', 'x'),
      new ConfigError('--port', 'x'),
      new RelayError('RELAY_ERR_UPSTREAM_TIMEOUT', 'x'),
      new PlanError('plan.rules[0]', 'x'),
      new FlagError('--seed', 'x'),
    ];
    for (const e of errors) {
      expect(e).toBeInstanceOf(RelaySoakError);
      expect(e.code).toMatch(/^(SOAK|SCENARIO|RELAY|MOCK|FLAG)_ERR_[A-Z_]+$/);
      expect(e.name).toBe(e.constructor.name);
    }
  });

  it('the exit code comes from the code, in one table', () => {
    expect(exitCodeOf(new SoakError('SOAK_ERR_USAGE', 'x'))).toBe(EXIT.usage);
    expect(exitCodeOf(new SoakError('SOAK_ERR_RUN_FOLDER', 'x'))).toBe(EXIT.usage);
    expect(exitCodeOf(new SoakError('SOAK_ERR_READY_TIMEOUT', 'x'))).toBe(EXIT.incomplete);
    expect(exitCodeOf(new SoakError('SOAK_ERR_SIGTERM', 'x'))).toBe(EXIT.sigterm);
    expect(new SoakError('SOAK_ERR_SIGINT', 'x').exitCode).toBe(EXIT.sigint);
    expect(exitCodeOf(new SoakError('SOAK_ERR_SIGHUP', 'x'))).toBe(129);
    expect(exitCodeOf(new SoakError('SOAK_ERR_TARGET_UNREACHABLE', 'x'))).toBe(EXIT.incomplete);
    expect(exitCodeOf(new ScenarioError('SCENARIO_ERR_INVALID', 'phases[0]', 'x'))).toBe(EXIT.usage);
    expect(exitCodeOf(new FlagError('--seed', 'x'))).toBe(EXIT.usage);
    expect(exitCodeOf(new LedgerError('x'))).toBe(EXIT.usage);
    expect(exitCodeOf(new LoadError('SOAK_ERR_LOAD_BUSY', 'x', 'y'))).toBe(EXIT.incomplete);
    expect(exitCodeOf(new Error('a bug'))).toBe(EXIT.incomplete);
    for (const code of Object.keys(EXIT_FOR_CODE)) expect(code).toMatch(/^(SOAK|SCENARIO|RELAY|MOCK|FLAG)_ERR_/);
  });

  it("every error code in the source starts with its package's prefix", () => {
    const offenders: string[] = [];
    for (const [folder, prefix] of Object.entries(PREFIX_OF)) {
      const files = readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
      for (const f of files) {
        const text = readFileSync(join(ROOT, folder, f), 'utf8');
        for (const m of text.matchAll(/'([A-Z]+_)*ERR_[A-Z_]+'/g)) {
          const code = m[0].slice(1, -1);
          // undici's own codes (UND_ERR_*) are read from its errors, not ours.
          if (!code.startsWith(prefix) && !code.startsWith('UND_ERR_')) offenders.push(`${folder}/${f}: ${code}`);
        }
        for (const m of text.matchAll(/'E_[A-Z_]+'/g)) offenders.push(`${folder}/${f}: ${m[0]}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});

describe('interrupt signals', () => {
  it('each maps to its own error code and 128 + its number', () => {
    expect(INTERRUPT_SIGNALS).toEqual(['SIGHUP', 'SIGINT', 'SIGTERM']);
    expect([exitForSignal('SIGHUP'), exitForSignal('SIGINT'), exitForSignal('SIGTERM')]).toEqual([129, 130, 143]);
    expect(interruptedError('SIGHUP').code).toBe('SOAK_ERR_SIGHUP');
    expect(interruptedError('SIGTERM').message).toBe('interrupted by SIGTERM');
    // Anything else (an abort reason that names no signal) is a Ctrl-C.
    expect(exitForSignal('run ended')).toBe(130);
  });
});
