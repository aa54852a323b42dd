// Every range a command's --help prints is the range its parser accepts: for
// each `range:` in the generated help of the soak CLI and its verbs, both
// bounds parse and the value just outside each bound is refused naming the
// flag. The programmatic path (validateSoakOptions, via checkFlagValue) uses
// the same declarations and is checked on SOAK_FLAGS too.

import { describe, expect, it } from 'vitest';
import { parseFlags, checkFlagValue, type FlagSpecs } from '../../shared/cli/flags.ts';
import { justOutside, printedRanges } from '../../shared/cli/help-ranges.test-support.ts';
import { helpText, type Command } from '../../harness/cli/command.ts';
import { soakCommand } from '../../harness/cli/soak-command.ts';
import { COMMANDS } from '../../harness/cli.ts';
import { SOAK_FLAGS } from '../../harness/index.ts';

function accepts(flags: FlagSpecs, flag: string, value: string): boolean {
  try {
    parseFlags(flags, [flag, value], { positionals: true });
    return true;
  } catch (err) {
    expect((err as Error).message).toContain(flag);
    return false;
  }
}

const commands: Array<[string, Command]> = [['soak', soakCommand as unknown as Command], ...Object.entries(COMMANDS).map(([n, c]) => [n, c as unknown as Command] as [string, Command])];

describe('--help ranges match the parser', () => {
  it('the help reader finds ranges (it can fail)', () => {
    expect(printedRanges('      --seed <N>  seed (default: 42; range: [0, 4294967295])')).toEqual([{ flag: '--seed', low: '0', high: '4294967295', lowOpen: false, duration: false }]);
    expect(() => printedRanges('      --seed <N>  seed (range: 0 to 9)')).toThrow(/cannot be read/);
    expect(printedRanges(helpText(soakCommand as unknown as Command)).map((r) => r.flag)).toEqual(expect.arrayContaining(['--accounts', '--duration', '--rate', '--seed', '--sample-interval']));
  });

  for (const [name, command] of commands) {
    it(`${name}: each printed range is accepted at its bounds and refused just outside`, () => {
      const ranges = printedRanges(helpText(command));
      const numeric = Object.values(command.flags).filter((f) => f.type !== 'string' && f.type !== 'boolean').length;
      expect(ranges).toHaveLength(numeric);
      for (const r of ranges) {
        if (!r.lowOpen) expect(accepts(command.flags, r.flag, r.low), `${name} ${r.flag} ${r.low}`).toBe(true);
        expect(accepts(command.flags, r.flag, r.high), `${name} ${r.flag} ${r.high}`).toBe(true);
        expect(accepts(command.flags, r.flag, justOutside(r, 'low')), `${name} ${r.flag} ${justOutside(r, 'low')}`).toBe(false);
        expect(accepts(command.flags, r.flag, justOutside(r, 'high')), `${name} ${r.flag} ${justOutside(r, 'high')}`).toBe(false);
      }
    });
  }

  it('runSoak validates numbers with the same declarations (sample interval, seed)', () => {
    const bad = (name: keyof typeof SOAK_FLAGS, v: number) => () => checkFlagValue(name, SOAK_FLAGS[name], v);
    expect(bad('sample-interval', 250)).not.toThrow();
    expect(bad('sample-interval', 249)).toThrow(/--sample-interval: expected a duration in 250ms–5s/);
    expect(bad('seed', 2 ** 32 - 1)).not.toThrow();
    expect(bad('seed', 2 ** 32)).toThrow(/--seed: /);
  });
});
