// Help and validator cannot drift: every range `node mocks/main.ts --help`
// prints is read back from the text and both of its bounds are accepted by the
// parser, while one step outside each bound (min − 1, max + 1) is refused
// naming the flag.

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { printedRanges } from '../shared/cli/help-ranges.test-support.ts';
import { CliError, HELP, parseCli, UPSTREAM_FLAGS } from './cli-args.ts';
import type { UpstreamOptions } from './index.ts';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
/** The option each numeric flag sets: a new numeric flag fails here until it is listed. */
const OPTION_OF: Record<string, keyof UpstreamOptions> = {
  '--port': 'port',
  '--seed': 'seed',
  '--accounts': 'accounts',
  '--completion-tokens': 'completionTokens',
  '--token-interval': 'tokenIntervalMs',
  '--idle-timeout': 'idleTimeoutMs',
};

interface PrintedRange {
  flag: string;
  min: number;
  max: number;
}

/** Integer ranges only here: a range of another shape throws in printedRanges or fails the integer check. */
function rangesOf(help: string): PrintedRange[] {
  return printedRanges(help).map((r) => {
    if (r.duration || r.lowOpen || !/^-?\d+$/.test(r.low) || !/^-?\d+$/.test(r.high)) throw new Error(`not an integer range: ${r.flag} ${r.low}–${r.high}`);
    return { flag: r.flag, min: Number(r.low), max: Number(r.high) };
  });
}

let printed: PrintedRange[];
beforeAll(async () => {
  // The text the user sees, from the real entry point.
  const { stdout } = await promisify(execFile)(process.execPath, [MAIN, '--help']);
  expect(stdout).toBe(HELP);
  printed = rangesOf(stdout);
});

describe('upstream --help ranges', () => {
  it('prints a range for every numeric flag, each flag once', () => {
    const numeric = Object.entries(UPSTREAM_FLAGS).filter(([, spec]) => spec.type === 'int').map(([name]) => `--${name}`);
    expect(numeric.length).toBeGreaterThan(0);
    expect(printed.map((r) => r.flag).sort()).toEqual(numeric.sort());
    expect(printed).toContainEqual({ flag: '--seed', min: 0, max: 2 ** 32 - 1 });
  });

  it('accepts both printed bounds of every flag', () => {
    for (const { flag, min, max } of printed) {
      const option = OPTION_OF[flag];
      expect(option, `${flag} is not mapped to an option`).toBeDefined();
      for (const value of [min, max]) {
        const command = parseCli([flag, String(value)]);
        expect(command.kind).toBe('run');
        if (command.kind === 'run') expect(command.options[option!], `${flag} ${value}`).toBe(value);
      }
    }
  });

  it('refuses one step outside each printed bound, naming the flag and the printed range', () => {
    for (const { flag, min, max } of printed) {
      for (const value of [min - 1, max + 1]) {
        let thrown: unknown;
        try {
          parseCli([flag, String(value)]);
        } catch (err) {
          thrown = err;
        }
        expect(thrown, `${flag} ${value}`).toBeInstanceOf(CliError);
        expect((thrown as CliError).field).toBe(flag);
        expect((thrown as CliError).message).toBe(`${flag}: expected an integer in [${min}, ${max}], got "${value}"`);
      }
    }
  });
});
