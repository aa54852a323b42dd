// Help and validator cannot drift: every range `node relay/main.ts --help`
// prints is read back from the text and both of its bounds are accepted, by
// the CLI parser and by resolveOptions() for programmatic callers, while one
// step outside each bound (min − 1, max + 1) is refused naming the flag.

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { printedRanges } from '../../shared/cli/help-ranges.test-support.ts';
import { HELP, parseCli, RELAY_FLAGS } from '../cli-args.ts';
import { ConfigError } from '../errors.ts';
import { NUMERIC_KEY_OF_FLAG, resolveOptions, type RelayOptions } from '../options.ts';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));
const UPSTREAM = 'http://127.0.0.1:9';
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

function argvWith(flag: string, value: number): string[] {
  const args = ['--upstream', UPSTREAM, '--accounts', '5'];
  return flag === '--accounts' ? ['--upstream', UPSTREAM, '--accounts', String(value)] : [...args, flag, String(value)];
}

function runOptions(flag: string, value: number): RelayOptions {
  const command = parseCli(argvWith(flag, value), {});
  if (command.kind !== 'run') throw new Error(`expected a run command, got ${command.kind}`);
  return command.options;
}

const generateKey = (prefix: string): string => `${prefix}generated-0001`;
const keyOf = (flag: string) => NUMERIC_KEY_OF_FLAG[flag.slice(2)]!;

let printed: PrintedRange[];
beforeAll(async () => {
  // The text the user sees, from the real entry point.
  const { stdout } = await promisify(execFile)(process.execPath, [MAIN, '--help']);
  expect(stdout).toBe(HELP);
  printed = rangesOf(stdout);
});

describe('relay --help ranges', () => {
  it('prints a range for every numeric flag, each flag once', () => {
    const numeric = Object.entries(RELAY_FLAGS).filter(([, spec]) => spec.type === 'int').map(([name]) => `--${name}`);
    expect(numeric.length).toBeGreaterThan(0);
    expect(printed.map((r) => r.flag).sort()).toEqual(numeric.sort());
    expect(printed).toContainEqual({ flag: '--seed', min: 0, max: 2 ** 32 - 1 });
  });

  it('accepts both printed bounds of every flag, on the CLI and through resolveOptions()', () => {
    for (const { flag, min, max } of printed) {
      for (const value of [min, max]) {
        const options = runOptions(flag, value);
        expect(options[keyOf(flag)], `${flag} ${value}`).toBe(value);
        expect(resolveOptions(options, generateKey)[keyOf(flag)], `${flag} ${value}`).toBe(value);
      }
    }
  });

  it('refuses one step outside each printed bound, naming the flag and the printed range', () => {
    for (const { flag, min, max } of printed) {
      for (const value of [min - 1, max + 1]) {
        let thrown: unknown;
        try {
          parseCli(argvWith(flag, value), {});
        } catch (err) {
          thrown = err;
        }
        expect(thrown, `${flag} ${value}`).toBeInstanceOf(ConfigError);
        expect((thrown as ConfigError).option).toBe(flag);
        expect((thrown as ConfigError).message).toBe(`${flag}: expected an integer in [${min}, ${max}], got "${value}"`);
        const programmatic: RelayOptions = { upstream: UPSTREAM, accounts: 5, [keyOf(flag)]: value };
        expect(() => resolveOptions(programmatic, generateKey), `${flag} ${value}`).toThrow(`${flag}: expected an integer in [${min}, ${max}], got ${value}`);
      }
    }
  });
});
