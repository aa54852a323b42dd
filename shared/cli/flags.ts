// Command-line flags as data: one declaration per flag (type, range, default,
// help) from which both the parser and the --help text are made, so a range
// printed in --help is the range the parser accepts. Used by the soak CLI and
// its subcommands, the relay, the fake upstream and the benches.
//
// Built on node:util parseArgs (strict, one value per flag); values are
// checked here as whole decimal integers, finite numbers or durations, and
// every error names the flag and quotes what was given (never a secret: flags
// that carry one are declared `secret` and their value is not echoed).

import { parseArgs } from 'node:util';
import { RelaySoakError } from '../errors.ts';
import { durationFromText, durationText } from '../duration.ts';

interface FlagBase {
  /** One line for --help. */
  help: string;
  short?: string;
  /** The value's name in --help (`N`, `MS`, `FILE`). */
  arg?: string;
  /** Never echo the value in an error (keys). */
  secret?: boolean;
  /** Why the range is what it is, said in the error after the range ("a proof needs at least 30s"). */
  rangeNote?: string;
}
/** A whole decimal integer in [min, max] ("1e3", "0x10", " 5" are refused). */
export interface IntFlag extends FlagBase { type: 'int'; min: number; max: number; default?: number }
/** A finite number in [min, max], or (min, max] with `exclusiveMin`. */
export interface NumberFlag extends FlagBase { type: 'number'; min: number; max: number; exclusiveMin?: boolean; default?: number }
/** A duration with a unit (`90s`, `5m`), in milliseconds, in [min, max]. */
export interface DurationFlag extends FlagBase { type: 'duration'; min: number; max: number; default?: number }
/** Comma-separated whole integers, each in [min, max]. */
export interface IntListFlag extends FlagBase { type: 'int-list'; min: number; max: number; default?: readonly number[] }
export interface StringFlag extends FlagBase {
  type: 'string';
  default?: string;
  /** An empty value is refused. */
  nonEmpty?: boolean;
  /** The only values accepted (`bearer|x-api-key`): --help prints them, the parser refuses any other. */
  choices?: readonly string[];
}
/**
 * A string flag given any number of times (`--header 'a: 1' --header 'b: 2'`):
 * its value is the list of every occurrence in order (empty when not given).
 */
export interface StringListFlag extends FlagBase { type: 'string'; multiple: true; nonEmpty?: boolean; choices?: undefined; default?: undefined }
export interface BooleanFlag extends FlagBase { type: 'boolean' }

export type FlagSpec = IntFlag | NumberFlag | DurationFlag | IntListFlag | StringFlag | StringListFlag | BooleanFlag;
export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

type ValueOf<F> = F extends { type: 'boolean' } ? boolean : F extends { multiple: true } ? string[] : F extends { type: 'string' } ? string : F extends { type: 'int-list' } ? number[] : number;

/** Parsed values: booleans and repeatable flags are always set; a flag with a default is always set; others may be undefined. */
export type FlagValues<S extends FlagSpecs> = {
  -readonly [K in keyof S]: S[K] extends { type: 'boolean' } ? boolean : S[K] extends { multiple: true } ? string[] : S[K] extends { default: unknown } ? ValueOf<S[K]> : ValueOf<S[K]> | undefined;
};

const isMultiple = (spec: FlagSpec): spec is StringListFlag => spec.type === 'string' && 'multiple' in spec && spec.multiple === true;
/** One occurrence of a repeatable flag is checked as a plain string flag. */
const single = (spec: StringFlag | StringListFlag): StringFlag => (isMultiple(spec) ? { type: 'string', help: spec.help, ...(spec.nonEmpty ? { nonEmpty: true } : {}), ...(spec.secret ? { secret: true } : {}) } : spec);

export interface ParsedFlags<S extends FlagSpecs> {
  values: FlagValues<S>;
  positionals: string[];
  /** The flags the user typed (defaults not included). */
  given: ReadonlySet<keyof S & string>;
}

export const FLAG_ERROR_CODE = 'FLAG_ERR_INVALID';

/** `-h, --help`, the same in every command. */
export const HELP_FLAG = { type: 'boolean', short: 'h', help: 'show this help' } as const satisfies BooleanFlag;

/** A flag the user got wrong. `flag` is what they typed (`--port`), for one stderr line. */
export class FlagError extends RelaySoakError<typeof FLAG_ERROR_CODE> {
  readonly flag: string;
  constructor(flag: string, message: string) {
    super(FLAG_ERROR_CODE, `${flag}: ${message}`);
    this.flag = flag;
  }
}

export interface ParseOptions {
  /** Positional arguments allowed (default none). */
  positionals?: boolean;
  /** Make the package's own error (default FlagError). `flag` is `--name`, `problem` has no flag prefix. */
  error?: (flag: string, problem: string) => Error;
}

const quote = (v: unknown): string => JSON.stringify(v);

/** The accepted range as --help prints it, or null for flags without one. */
export function rangeText(spec: FlagSpec): string | null {
  switch (spec.type) {
    case 'int':
    case 'int-list':
      return `[${spec.min}, ${spec.max}]`;
    case 'number':
      return `${spec.exclusiveMin ? '(' : '['}${spec.min}, ${spec.max}]`;
    case 'duration':
      return `${durationText(spec.min)}–${durationText(spec.max)}`;
    default:
      return null;
  }
}

/** The range as an error states it: with its reason when the declaration gives one. */
function expected(spec: FlagSpec): string {
  const range = rangeText(spec) ?? '';
  return spec.rangeNote ? `${range} (${spec.rangeNote})` : range;
}

function defaultText(spec: FlagSpec): string | null {
  if (spec.type === 'boolean' || isMultiple(spec) || spec.default === undefined) return null;
  if (spec.type === 'duration') return durationText(spec.default);
  if (spec.type === 'int-list') return spec.default.join(',');
  return String(spec.default);
}

/**
 * Checks one value against its declaration: the same rule for a typed flag
 * and for a programmatic caller passing a number (SoakOptions). Returns the
 * value; throws through `error` naming the flag.
 */
export function checkFlagValue(name: string, spec: FlagSpec, value: unknown, error: ParseOptions['error'] = defaultError): unknown {
  const flag = `--${name}`;
  const shown = spec.secret ? '(value not shown)' : quote(value);
  switch (spec.type) {
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < spec.min || value > spec.max) throw error(flag, `expected an integer in ${expected(spec)}, got ${shown}`);
      return value;
    case 'number': {
      const low = spec.exclusiveMin ? (value as number) <= spec.min : (value as number) < spec.min;
      if (typeof value !== 'number' || !Number.isFinite(value) || low || value > spec.max) throw error(flag, `expected a number in ${expected(spec)}, got ${shown}`);
      return value;
    }
    case 'duration':
      if (typeof value !== 'number' || !Number.isFinite(value) || value < spec.min || value > spec.max) {
        throw error(flag, `expected a duration in ${expected(spec)}, got ${typeof value === 'number' ? durationText(value) : shown}`);
      }
      return value;
    case 'int-list':
      if (!Array.isArray(value) || value.length === 0) throw error(flag, `expected integers in ${expected(spec)}, comma-separated, got ${shown}`);
      for (const v of value) {
        if (typeof v !== 'number' || !Number.isInteger(v) || v < spec.min || v > spec.max) throw error(flag, `expected integers in ${expected(spec)}, comma-separated, got ${shown}`);
      }
      return value;
    case 'string': {
      if (isMultiple(spec)) {
        if (!Array.isArray(value)) throw error(flag, 'expected a list of values (the flag may be given several times)');
        for (const v of value) checkFlagValue(name, single(spec), v, error);
        return value;
      }
      if (typeof value !== 'string' || (spec.nonEmpty && value.trim() === '')) throw error(flag, 'expected a non-empty value');
      if (spec.choices !== undefined && !spec.choices.includes(value)) throw error(flag, `expected one of ${spec.choices.join(', ')}, got ${shown}`);
      return value;
    }
    case 'boolean':
      return value === true;
  }
}

/**
 * checkFlagValue for several values at once, keyed by flag name (undefined
 * values are skipped): how a programmatic caller's options are validated
 * against the flags that set them.
 */
export function checkFlagValues<S extends FlagSpecs>(specs: S, values: { [K in keyof S]?: unknown }, error: ParseOptions['error'] = defaultError): void {
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined) checkFlagValue(name, specs[name]!, value, error);
  }
}

function defaultError(flag: string, problem: string): Error {
  return new FlagError(flag, problem);
}

function fromText(name: string, spec: FlagSpec, text: string, error: NonNullable<ParseOptions['error']>): unknown {
  const flag = `--${name}`;
  const shown = spec.secret ? '(value not shown)' : quote(text);
  switch (spec.type) {
    case 'int': {
      if (!/^-?\d+$/.test(text)) throw error(flag, `expected an integer in ${expected(spec)}, got ${shown}`);
      const n = Number(text);
      if (n < spec.min || n > spec.max) throw error(flag, `expected an integer in ${expected(spec)}, got ${shown}`);
      return n;
    }
    case 'number': {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n)) throw error(flag, `expected a number in ${expected(spec)}, got ${shown}`);
      return checkFlagValue(name, spec, n, (f, p) => error(f, p.replace(/got .*$/, `got ${shown}`)));
    }
    case 'duration': {
      const ms = durationFromText(text);
      // durationFromText refuses a malformed text and one too large to be exact alike; the
      // same text with every digit run shrunk to 1 (`1h`, `1.1m`) tells which.
      if (ms === null && durationFromText(text.replace(/\d+/g, '1')) !== null) throw error(flag, `too large: at most ${durationText(spec.max)}, got ${shown}`);
      if (ms === null) throw error(flag, `expected a duration like 1500ms, 90s, 5m or 2h in ${expected(spec)}, got ${shown}`);
      if (ms < spec.min || ms > spec.max) throw error(flag, `expected a duration in ${expected(spec)}, got ${shown}`);
      return ms;
    }
    case 'int-list': {
      const parts = text.split(',').map((s) => s.trim());
      const bad = () => error(flag, `expected integers in ${expected(spec)}, comma-separated, got ${shown}`);
      if (parts.some((p) => !/^-?\d+$/.test(p))) throw bad();
      const list = parts.map(Number);
      if (list.some((n) => n < spec.min || n > spec.max)) throw bad();
      return list;
    }
    case 'string':
      return checkFlagValue(name, single(spec), text, error);
    case 'boolean':
      return true;
  }
}

/** `--name` or `-n` of a declared flag: the next argument is then an option, not a value. */
function isDeclaredOption(specs: FlagSpecs, arg: string): boolean {
  const long = /^--([^=]+)/.exec(arg)?.[1];
  if (long !== undefined) return Object.hasOwn(specs, long);
  return /^-[^-]$/.test(arg) && Object.values(specs).some((s) => s.short === arg.slice(1));
}

/**
 * `--rate -5` is ambiguous to parseArgs (a value or a flag?). A numeric flag
 * followed by anything dash-led that is not one of the declared options
 * (`-5`, `-.5`, `-1e3`, `-Infinity`) takes it as its value, and so does any
 * value flag followed by something shaped like a negative number, so that
 * validation says what is wrong with the value (its range) instead of
 * parseArgs' "argument is ambiguous".
 */
function joinNegativeValues(specs: FlagSpecs, argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const spec = a.startsWith('--') ? specs[a.slice(2)] : undefined;
    const next = argv[i + 1];
    const dashLed = next !== undefined && next.startsWith('-') && next !== '-' && next !== '--';
    const numeric = spec !== undefined && spec.type !== 'boolean' && spec.type !== 'string';
    const takesIt = dashLed && spec !== undefined && spec.type !== 'boolean' && (/^-\.?\d/.test(next) || (numeric && !isDeclaredOption(specs, next)));
    if (takesIt) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** parseArgs' message (`Option '--out <value>' argument is ambiguous. …`) as one line naming what is wrong. */
function parseArgsProblem(message: string, flag: string): string {
  if (/^Unknown option/.test(message)) return 'unknown option (--help lists the options)';
  if (/argument is ambiguous/.test(message)) return `missing value: the next argument starts with "-" (if it is the value, write ${flag}=<value>)`;
  if (/argument missing/.test(message)) return 'missing value';
  if (/^Unexpected argument/.test(message)) return 'unexpected argument (this command takes no positional arguments)';
  return message.replace(`'${flag}'`, '').trim() || message;
}

/** argv → typed values, or an error naming the flag. Nothing else happens. */
export function parseFlags<S extends FlagSpecs>(specs: S, argv: readonly string[], options: ParseOptions = {}): ParsedFlags<S> {
  const error = options.error ?? defaultError;
  const config: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [name, spec] of Object.entries(specs)) {
    config[name] = { type: spec.type === 'boolean' ? 'boolean' : 'string', ...(spec.short ? { short: spec.short } : {}), ...(isMultiple(spec) ? { multiple: true } : {}) };
  }
  let raw: { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] };
  try {
    raw = parseArgs({ args: joinNegativeValues(specs, argv), options: config, strict: true, allowPositionals: options.positionals === true }) as typeof raw;
  } catch (err) {
    // parseArgs names the option ("Unknown option '--x'"): keep its first sentence, one line.
    const message = (err instanceof Error ? err.message : String(err)).split('\n')[0]!.split('. ')[0]!;
    const flag = /'(-{1,2}[^' ]+)/.exec(message)?.[1] ?? /^Unexpected argument '([^']*)'/.exec(message)?.[1] ?? 'arguments';
    throw error(flag, parseArgsProblem(message, flag));
  }
  const values: Record<string, unknown> = {};
  const given = new Set<string>();
  for (const [name, spec] of Object.entries(specs)) {
    const text = raw.values[name];
    if (text === undefined) {
      values[name] = spec.type === 'boolean' ? false : isMultiple(spec) ? [] : spec.default === undefined ? undefined : spec.type === 'int-list' ? [...spec.default] : spec.default;
      continue;
    }
    given.add(name);
    if (isMultiple(spec)) values[name] = (Array.isArray(text) ? text : [String(text)]).map((t) => fromText(name, spec, t, error));
    else values[name] = spec.type === 'boolean' ? text === true : fromText(name, spec, String(text), error);
  }
  return { values: values as FlagValues<S>, positionals: raw.positionals, given: given as ReadonlySet<keyof S & string> };
}

/**
 * The --help lines of a flag table: `  -q, --quiet   help (default: x; range: [a, b])`.
 * Ranges and defaults come from the declarations, so they cannot drift from the parser.
 */
export function flagHelpLines(specs: FlagSpecs, width = 34): string[] {
  const lines: string[] = [];
  for (const [name, spec] of Object.entries(specs)) {
    const value = spec.type === 'boolean' ? '' : ` <${spec.arg ?? 'value'}>`;
    const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${value}`;
    const choices = spec.type === 'string' && spec.choices !== undefined ? `one of: ${spec.choices.join('|')}` : null;
    const extra = [defaultText(spec), rangeText(spec)].map((t, i) => (t === null ? null : i === 0 ? `default: ${t}` : `range: ${t}`)).filter((t) => t !== null);
    if (choices !== null) extra.unshift(choices);
    if (isMultiple(spec)) extra.push('repeatable');
    lines.push(`  ${flag.padEnd(width)} ${spec.help}${extra.length > 0 ? ` (${extra.join('; ')})` : ''}`);
  }
  return lines;
}
