// The flag declarations' parser and checker: strict integers, durations with a
// unit, exclusive bounds, lists, secrets never echoed, defaults vs given flags.

import { describe, expect, it } from 'vitest';
import { checkFlagValue, checkFlagValues, FlagError, flagHelpLines, parseFlags, rangeText, type FlagSpecs } from './flags.ts';

const SPECS = {
  count: { type: 'int', min: 1, max: 10, default: 3, help: 'how many' },
  rate: { type: 'number', min: 0, exclusiveMin: true, max: 100, help: 'per second' },
  wait: { type: 'duration', min: 250, max: 5_000, default: 2_000, help: 'a pause', rangeNote: 'the probe answers within 250ms' },
  sizes: { type: 'int-list', min: 1, max: 64, help: 'sizes' },
  key: { type: 'string', secret: true, nonEmpty: true, help: 'a key' },
  quiet: { type: 'boolean', short: 'q', help: 'no output' },
} as const satisfies FlagSpecs;

const fails = (argv: string[]) => {
  try {
    parseFlags(SPECS, argv);
  } catch (err) {
    expect(err).toBeInstanceOf(FlagError);
    return (err as FlagError).message;
  }
  throw new Error(`accepted: ${argv.join(' ')}`);
};

describe('parseFlags', () => {
  it('fills defaults, says which flags were given, and types the values', () => {
    const { values, given } = parseFlags(SPECS, ['--rate', '2.5', '-q', '--sizes', '16,32']);
    expect(values).toEqual({ count: 3, rate: 2.5, wait: 2_000, sizes: [16, 32], key: undefined, quiet: true });
    expect([...given].sort()).toEqual(['quiet', 'rate', 'sizes']);
  });

  it('takes whole decimal integers only, in range', () => {
    for (const v of ['1e1', '0x5', ' 5', '5.0', '']) expect(fails(['--count', v])).toMatch(/^--count: expected an integer in \[1, 10\], got /);
    expect(fails(['--count', '11'])).toBe('--count: expected an integer in [1, 10], got "11"');
    expect(fails(['--count', '-1'])).toBe('--count: expected an integer in [1, 10], got "-1"');
  });

  it('an exclusive low bound refuses the bound itself', () => {
    expect(fails(['--rate', '0'])).toBe('--rate: expected a number in (0, 100], got "0"');
    expect(fails(['--rate', 'fast'])).toBe('--rate: expected a number in (0, 100], got "fast"');
    expect(parseFlags(SPECS, ['--rate', '100']).values.rate).toBe(100);
  });

  it('durations need a unit, are checked in ms, and say why the range is what it is', () => {
    expect(parseFlags(SPECS, ['--wait', '1.5s']).values.wait).toBe(1_500);
    expect(fails(['--wait', '300'])).toMatch(/^--wait: expected a duration like 1500ms, 90s, 5m or 2h in 250ms–5s \(the probe answers within 250ms\), got "300"$/);
    expect(fails(['--wait', '6s'])).toBe('--wait: expected a duration in 250ms–5s (the probe answers within 250ms), got "6s"');
  });

  it('lists: every element checked', () => {
    expect(fails(['--sizes', '16,65'])).toBe('--sizes: expected integers in [1, 64], comma-separated, got "16,65"');
    expect(fails(['--sizes', '16,x'])).toMatch(/^--sizes: /);
  });

  it('never echoes a secret', () => {
    const message = fails(['--key', ' ']);
    expect(message).toBe('--key: expected a non-empty value');
    expect(checkFlagValue.bind(null, 'count', { ...SPECS.count, secret: true }, 99)).toThrow('(value not shown)');
  });

  it('unknown flags and positionals are refused, naming the flag', () => {
    expect(fails(['--bogus'])).toBe('--bogus: unknown option (--help lists the options)');
    expect(fails(['stray'])).toMatch(/stray/);
    expect(parseFlags(SPECS, ['stray'], { positionals: true }).positionals).toEqual(['stray']);
  });

  it('uses the caller’s error type', () => {
    class MyError extends Error {}
    expect(() => parseFlags(SPECS, ['--count', '0'], { error: (flag, problem) => new MyError(`${flag} | ${problem}`) })).toThrow(MyError);
  });
});

describe('repeatable flags and choices', () => {
  const MORE = {
    header: { type: 'string', multiple: true, nonEmpty: true, arg: 'K: V', help: 'a header' },
    auth: { type: 'string', default: 'bearer', choices: ['bearer', 'none'], help: 'auth' },
  } as const satisfies FlagSpecs;

  it('collects every occurrence in order; none given is an empty list', () => {
    expect(parseFlags(MORE, ['--header', 'a: 1', '--header=b: 2']).values.header).toEqual(['a: 1', 'b: 2']);
    const none = parseFlags(MORE, []);
    expect(none.values.header).toEqual([]);
    expect(none.given.has('header')).toBe(false);
    expect(() => parseFlags(MORE, ['--header', 'a', '--header', ' '])).toThrow('--header: expected a non-empty value');
    expect(() => checkFlagValue('header', MORE.header, 'x')).toThrow('--header: expected a list');
    expect(checkFlagValue('header', MORE.header, ['x', 'y'])).toEqual(['x', 'y']);
  });

  it('accepts only the declared choices, and help prints them and says repeatable', () => {
    expect(parseFlags(MORE, ['--auth', 'none']).values.auth).toBe('none');
    expect(() => parseFlags(MORE, ['--auth', 'basic'])).toThrow('--auth: expected one of bearer, none, got "basic"');
    const help = flagHelpLines(MORE).join('\n');
    expect(help).toMatch(/--header <K: V> +a header \(repeatable\)/);
    expect(help).toMatch(/--auth <value> +auth \(one of: bearer\|none; default: bearer\)/);
  });
});

describe('checkFlagValues and help', () => {
  it('checks a programmatic caller’s numbers with the same ranges', () => {
    expect(() => checkFlagValues(SPECS, { count: 10, wait: 250 })).not.toThrow();
    expect(() => checkFlagValues(SPECS, { count: 10.5 })).toThrow('--count: expected an integer in [1, 10], got 10.5');
    expect(() => checkFlagValues(SPECS, { wait: 249 })).toThrow('--wait: expected a duration in 250ms–5s');
  });

  it('prints every flag with its default and range', () => {
    const help = flagHelpLines(SPECS).join('\n');
    expect(help).toContain('--count <value>');
    expect(help).toContain('how many (default: 3; range: [1, 10])');
    expect(help).toContain('a pause (default: 2s; range: 250ms–5s)');
    expect(help).toMatch(/-q, --quiet +no output$/m);
    expect(rangeText(SPECS.rate)).toBe('(0, 100]');
  });
});
