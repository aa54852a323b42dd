// The fake upstream's errors share the project's base (shared/errors.ts), each
// with its MOCK_ERR_* code and its own name.

import { expect, it } from 'vitest';
import { isRelaySoakError, RelaySoakError } from '../shared/errors.ts';
import { CliError } from './cli-args.ts';
import { PlanError } from './plan.ts';
import { SequenceError } from './sequence-handlers.ts';
import { WireCut } from './wire.ts';

it.each([
  [new CliError('--port', 'expected an integer in [0, 65535], got "x"'), 'CliError', 'MOCK_ERR_CLI', '--port: expected an integer in [0, 65535], got "x"'],
  [new PlanError('plan.rules[0].fault', 'unknown fault'), 'PlanError', 'MOCK_ERR_PLAN', 'plan.rules[0].fault: unknown fault'],
  [new SequenceError('out of step'), 'SequenceError', 'MOCK_ERR_SEQUENCE', 'out of step'],
  [new WireCut('truncate'), 'WireCut', 'MOCK_ERR_WIRE_CUT', 'upstream cut the response on purpose: truncate'],
])('%s extends RelaySoakError with its code', (error, name, code, message) => {
  expect(error).toBeInstanceOf(RelaySoakError);
  expect(error).toBeInstanceOf(Error);
  expect(error).toMatchObject({ name, code, message });
  expect(isRelaySoakError(error, 'MOCK_ERR_')).toBe(true);
});

it('keeps the field of CliError and PlanError', () => {
  expect(new CliError('--plan', 'x').field).toBe('--plan');
  expect(new PlanError('plan.rules', 'x').field).toBe('plan.rules');
});
