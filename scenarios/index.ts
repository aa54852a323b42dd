// The scenario registry and the public entry of scenarios/.

import { ScenarioError } from './errors.ts';
import type { ScenarioSpec } from './define.ts';
import mixed from './mixed.ts';
import healthScan from './health-scan.ts';
import retryStorm from './retry-storm.ts';
import errorStorm from './error-storm.ts';
import errorAnswers from './error-answers.ts';
import errorStalls from './error-stalls.ts';
import accountChurn from './account-churn.ts';
import cacheChurn from './cache-churn.ts';
import streamAbort from './stream-abort.ts';
import stallBurst from './stall-burst.ts';
import calibration from './calibration.ts';
import quotaWall from './quota-wall.ts';
import sinkStall from './sink-stall.ts';

export * from './define.ts';
export * from './resolve.ts';
export * from './duration.ts';
export * from './errors.ts';

/** The default scenario of `npm run soak`. */
export const DEFAULT_SCENARIO = 'mixed';

// Listing order: the default first, then by incident seed; bench:calibrate's own last.
const SCENARIOS: readonly ScenarioSpec[] = [mixed, healthScan, retryStorm, errorAnswers, errorStorm, errorStalls, accountChurn, cacheChurn, streamAbort, quotaWall, sinkStall, stallBurst, calibration];
const BY_NAME: ReadonlyMap<string, ScenarioSpec> = new Map(SCENARIOS.map((s) => [s.name, s]));

export function listScenarios(): readonly ScenarioSpec[] {
  return SCENARIOS;
}

/** The scenario called `name`; a ScenarioError (field `--scenario`, exit 2) listing valid names otherwise. */
export function getScenario(name: string): ScenarioSpec {
  const found = BY_NAME.get(name);
  if (found === undefined) {
    throw new ScenarioError(
      'SCENARIO_ERR_UNKNOWN',
      '--scenario',
      `--scenario: unknown scenario ${JSON.stringify(name)}; valid: ${SCENARIOS.map((s) => s.name).join(', ')}`,
    );
  }
  return found;
}
