// ScenarioError shares the project's base (shared/errors.ts) with its
// SCENARIO_ERR_* code; parseDuration (on shared/duration.ts) keeps its messages.

import { expect, it } from 'vitest';
import { isRelaySoakError, RelaySoakError } from '../shared/errors.ts';
import { parseDuration } from './duration.ts';
import { ScenarioError } from './errors.ts';

it('ScenarioError extends RelaySoakError with its code, field and exit code', () => {
  const err = new ScenarioError('SCENARIO_ERR_INVALID', 'phases[1].durationShare', 'phases[1].durationShare: expected a number in (0, 1]');
  expect(err).toBeInstanceOf(RelaySoakError);
  expect(err).toMatchObject({ name: 'ScenarioError', code: 'SCENARIO_ERR_INVALID', field: 'phases[1].durationShare', exitCode: 2 });
  expect(isRelaySoakError(err, 'SCENARIO_ERR_')).toBe(true);
});

it.each([
  ['5', '--duration: expected a duration like 1500ms, 90s, 5m or 2h, got "5"'],
  ['1.5.5s', '--duration: expected a duration like 1500ms, 90s, 5m or 2h, got "1.5.5s"'],
  ['99999999999999999999h', '--duration: duration "99999999999999999999h" is too large'],
])('parseDuration(%j) throws %j', (text, message) => {
  let thrown: unknown;
  try {
    parseDuration(text, '--duration');
  } catch (err) {
    thrown = err;
  }
  expect((thrown as Error).message).toBe(message);
  expect(thrown).toMatchObject({ code: 'SCENARIO_ERR_DURATION', field: '--duration' });
});
