// The table of bad inputs: one row per input a user (or a CI runner) can get
// wrong, for the soak CLI and its verbs, the relay, the fake upstream and the
// relay's HTTP API, with the exit code (or status) and the words the message
// must contain. Add a row when a new flag, verb or route appears.
//
// Every CLI row also proves that nothing half-started: the process exits
// within seconds, no run folder was created (the row's --out does not exist
// afterwards, unless the row is about a folder that was already there), and
// no process of the row survives it (each row's environment carries a marker
// that every child would inherit; /proc is searched for it afterwards, so a
// relay or upstream left behind, holding its port, is found).

import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticCheckpoints } from './fixtures/verdict/synthetic.ts';
import { syntheticMeta } from './fixtures/verdict/synthetic-meta.ts';
import { CLIENT_KEY, startPair, type Pair } from '../relay/test/helpers.ts';

const ROOT = resolve(import.meta.dirname, '..');
const SOAK = join(ROOT, 'harness/cli.ts');
const RELAY = join(ROOT, 'relay/main.ts');
const UPSTREAM = join(ROOT, 'mocks/main.ts');
/** A bad input is refused before anything starts: well under this. */
const FAST_MS = 8_000;

const tmp = mkdtempSync(join(tmpdir(), 'soak-bad-inputs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const at = (name: string) => join(tmp, name);

// Fixtures, written once at load (rows are built from their paths).
const aFile = at('a-file');
writeFileSync(aFile, 'not a folder\n');
const existingRun = at('existing-run');
mkdirSync(existingRun);
writeFileSync(join(existingRun, 'run.json'), '{}\n');

const jsonl = (records: readonly unknown[]) => records.map((r) => JSON.stringify(r)).join('\n') + '\n';
/** A run folder compare can read: 16 synthetic checkpoints (`heapPerRequest` B retained per request). */
function runFolder(name: string, options: { meta?: unknown; heapPerRequest?: number; checkpoints?: (text: string) => string } = {}): string {
  const dir = at(name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'run.json'), options.meta === undefined ? JSON.stringify(syntheticMeta(), null, 2) : typeof options.meta === 'string' ? options.meta : JSON.stringify(options.meta, null, 2));
  const per = options.heapPerRequest ?? 0;
  const text = jsonl(syntheticCheckpoints({ checkpoints: 16, seed: name, phase: (i) => (i < 2 ? 'warm-up' : 'load'), heapUsed: (r) => per * r }));
  writeFileSync(join(dir, 'checkpoints.ndjson'), options.checkpoints ? options.checkpoints(text) : text);
  return dir;
}
const goodA = runFolder('good-a', { heapPerRequest: 500 });
const goodB = runFolder('good-b');
const { target: _target, ...noTarget } = syntheticMeta();
const lines = (text: string) => text.split('\n');
const withLine = (text: string, index: number, line: string) => {
  const l = lines(text);
  l.splice(index, 1, line);
  return l.join('\n');
};

const plan = (name: string, value: string) => {
  const path = at(`${name}.json`);
  writeFileSync(path, value);
  return path;
};

interface CliRow {
  /** What is wrong, in a few words. */
  name: string;
  cli: 'soak' | 'relay' | 'upstream';
  argv: string[];
  exit: number;
  /** Each must appear in stderr (the message names the flag/field and the real problem). */
  words: string[];
  /** Words that must NOT appear (the wrong explanation the row used to get). */
  not?: string[];
  /** Soak verbs that create folders: pass a fresh --out and check it was not created (default: when argv has no --out). */
  freshOut?: boolean;
  /** Extra stream checks (stdout). */
  stdout?: string[];
}

const UPSTREAM_URL = 'http://127.0.0.1:9';

const rows: CliRow[] = [
  // soak: flags
  { name: 'unknown flag', cli: 'soak', argv: ['--bogus'], exit: 2, words: ['--bogus', 'unknown option'] },
  { name: 'stray positional', cli: 'soak', argv: ['stray'], exit: 2, words: ['stray', 'unexpected argument'] },
  { name: 'duration without a unit', cli: 'soak', argv: ['--duration', '300'], exit: 2, words: ['--duration', '"300"', '90s'] },
  { name: 'duration not a duration', cli: 'soak', argv: ['--duration', '5x'], exit: 2, words: ['--duration', '"5x"'] },
  { name: 'duration 1s: under the scenario minimum', cli: 'soak', argv: ['--duration', '1s'], exit: 2, words: ['--duration', 'mixed', 'at least 9s'], not: ['phases['] },
  { name: 'duration 5s: under the scenario minimum', cli: 'soak', argv: ['--duration', '5s'], exit: 2, words: ['--duration', 'at least 9s'], not: ['phases['] },
  { name: 'duration 8s: under the scenario minimum', cli: 'soak', argv: ['--duration', '8s'], exit: 2, words: ['--duration', 'at least 9s', 'ramp'], not: ['phases['] },
  { name: 'duration under another scenario’s minimum', cli: 'soak', argv: ['--scenario', 'error-storm', '--duration', '2s'], exit: 2, words: ['--duration', 'error-storm', 'at least 5s'] },
  { name: 'duration too large to be exact', cli: 'soak', argv: ['--duration', '99999999999999999999h'], exit: 2, words: ['--duration', 'too large', '168h'], not: ['like 1500ms'] },
  { name: 'duration over the maximum', cli: 'soak', argv: ['--duration', '200h'], exit: 2, words: ['--duration', '1s–168h', '"200h"'] },
  { name: 'negative rate', cli: 'soak', argv: ['--rate', '-5'], exit: 2, words: ['--rate', '(0, 1000000]', '"-5"'], not: ['ambiguous'] },
  { name: 'negative rate with =', cli: 'soak', argv: ['--rate=-5'], exit: 2, words: ['--rate', '"-5"'] },
  { name: 'negative decimal rate without a leading 0', cli: 'soak', argv: ['--rate', '-.5'], exit: 2, words: ['--rate', '"-.5"'], not: ['ambiguous'] },
  { name: 'rate -Infinity', cli: 'soak', argv: ['--rate', '-Infinity'], exit: 2, words: ['--rate', '"-Infinity"'], not: ['ambiguous'] },
  { name: 'rate missing its value (next is a flag)', cli: 'soak', argv: ['--rate', '--quiet'], exit: 2, words: ['--rate', 'missing value'], not: ['ambiguous'] },
  { name: 'non-numeric rate', cli: 'soak', argv: ['--rate', 'fast'], exit: 2, words: ['--rate', '"fast"'] },
  { name: 'zero accounts', cli: 'soak', argv: ['--accounts', '0'], exit: 2, words: ['--accounts', '[1, 1000000]'] },
  { name: 'accounts in exponent form', cli: 'soak', argv: ['--accounts', '1e3'], exit: 2, words: ['--accounts', '"1e3"'] },
  { name: 'non-integer seed', cli: 'soak', argv: ['--seed', '1.5'], exit: 2, words: ['--seed', '"1.5"'] },
  { name: 'negative seed', cli: 'soak', argv: ['--seed', '-1'], exit: 2, words: ['--seed', '[0, 4294967295]'], not: ['ambiguous'] },
  { name: 'rate and connections together', cli: 'soak', argv: ['--rate', '10', '--connections', '5'], exit: 2, words: ['--rate and --connections'] },
  { name: 'budget without a time unit', cli: 'soak', argv: ['--budget', '50MB'], exit: 2, words: ['--budget', 'size per day or hour', '50MB/day'] },
  { name: 'production rate without a budget', cli: 'soak', argv: ['--production-rate', '300'], exit: 2, words: ['--production-rate', 'only with --budget'] },
  { name: 'zero production rate', cli: 'soak', argv: ['--budget', '50MB/day', '--production-rate', '0'], exit: 2, words: ['--production-rate'] },
  { name: 'too few checkpoints', cli: 'soak', argv: ['--checkpoints', '3'], exit: 2, words: ['--checkpoints', '[4, 1000]'] },
  { name: 'checkpoints less than a second apart', cli: 'soak', argv: ['--duration', '10s', '--checkpoints', '20'], exit: 2, words: ['--checkpoints: 20 over 10 s of load would be 500 ms apart', 'at most 10'] },
  { name: 'until-verdict given a value', cli: 'soak', argv: ['--until-verdict=yes'], exit: 2, words: ['--until-verdict', 'does not take an argument'] },
  { name: 'unknown scenario', cli: 'soak', argv: ['--scenario', 'no-such-scenario'], exit: 2, words: ['--scenario', 'no-such-scenario', 'mixed'] },
  { name: 'unknown leak', cli: 'soak', argv: ['--leak', 'no-such-leak'], exit: 2, words: ['--leak', 'unknown variant "no-such-leak"', 'inflight-map'] },
  { name: 'leak on a target that is not the reference relay', cli: 'soak', argv: ['--leak', 'inflight-map', '--target-cmd', 'node x.js --port {port}'], exit: 2, words: ['--leak', 'reference relay'] },
  { name: 'target command without {port}', cli: 'soak', argv: ['--target-cmd', 'node my-relay.js'], exit: 2, words: ['--target-cmd', '{port}'] },
  { name: 'empty target command', cli: 'soak', argv: ['--target-cmd', ' '], exit: 2, words: ['--target-cmd', 'non-empty'] },
  { name: 'target command and pid together', cli: 'soak', argv: ['--target-cmd', 'x {port}', '--target-pid', '1', '--target-url', UPSTREAM_URL], exit: 2, words: ['--target-cmd', 'cannot be combined'] },
  { name: 'target pid that does not exist', cli: 'soak', argv: ['--target-pid', '4000000', '--target-url', UPSTREAM_URL], exit: 2, words: ['--target-pid', '4000000'] },
  { name: 'target url without a pid', cli: 'soak', argv: ['--target-url', UPSTREAM_URL], exit: 2, words: ['--target-url needs --target-pid'] },
  { name: 'target pid without a url', cli: 'soak', argv: ['--target-pid', String(process.pid)], exit: 2, words: ['--target-pid needs --target-url'] },
  { name: 'non-loopback target url', cli: 'soak', argv: ['--target-pid', String(process.pid), '--target-url', 'http://10.0.0.1:80'], exit: 2, words: ['--target-url', 'loopback'] },
  { name: 'target url of a --target-cmd without {port}', cli: 'soak', argv: ['--target-cmd', 'node x.js --port {port}', '--target-url', 'http://127.0.0.1:8080/gw'], exit: 2, words: ['--target-url', 'with --target-cmd', '{port}/path-prefix'] },
  { name: 'target url with a query (a path prefix is fine, a query is not)', cli: 'soak', argv: ['--target-pid', String(process.pid), '--target-url', 'http://127.0.0.1:9/gw?x=1'], exit: 2, words: ['--target-url', 'path-prefix', 'no query'] },
  // soak: talking to other relays (--header, --auth, --client-keys-file, --api, --model)
  { name: 'header without a colon (value not echoed)', cli: 'soak', argv: ['--header', 'Bearer sk-planted-secret-1'], exit: 2, words: ['--header', "expected 'Name: value'"], not: ['sk-planted-secret-1'] },
  { name: 'header with an invalid name', cli: 'soak', argv: ['--header', 'x provider: mock'], exit: 2, words: ['--header', 'not a valid HTTP header name'] },
  { name: 'header the harness sets itself', cli: 'soak', argv: ['--header', 'Content-Length: 5'], exit: 2, words: ['--header', 'content-length', 'set by the harness'] },
  { name: 'header with an unknown placeholder', cli: 'soak', argv: ['--header', 'x-port: {port}'], exit: 2, words: ['--header', 'unknown placeholder {port}', '{upstream}'] },
  { name: 'header naming an unset environment variable', cli: 'soak', argv: ['--header', 'x-token: ${SOAK_BAD_INPUT_UNSET_19}'], exit: 2, words: ['--header', 'SOAK_BAD_INPUT_UNSET_19', 'not set'] },
  { name: 'header given twice', cli: 'soak', argv: ['--header', 'x-a: 1', '--header', 'X-A: 2'], exit: 2, words: ['--header', 'x-a', 'given twice'] },
  { name: 'header {upstream} on an attached process', cli: 'soak', argv: ['--target-pid', String(process.pid), '--target-url', UPSTREAM_URL, '--header', 'x-up: {upstream}'], exit: 2, words: ['--header', '{upstream}', '--target-pid'] },
  { name: 'unknown auth scheme', cli: 'soak', argv: ['--auth', 'basic'], exit: 2, words: ['--auth', 'one of bearer, x-api-key, api-key, none', '"basic"'] },
  { name: 'unknown API profile', cli: 'soak', argv: ['--api', 'grpc'], exit: 2, words: ['--api', 'chat, responses, messages'] },
  { name: 'responses API on the reference relay', cli: 'soak', argv: ['--api', 'responses'], exit: 2, words: ['--api responses', 'reference relay', 'chat API only', '--target-cmd'] },
  { name: 'messages API on the reference relay', cli: 'soak', argv: ['--api', 'messages'], exit: 2, words: ['--api messages', '/v1/messages', '--target-pid'] },
  { name: 'keys file that does not exist', cli: 'soak', argv: ['--client-keys-file', at('no-such-keys.txt')], exit: 2, words: ['--client-keys-file', 'cannot read', 'ENOENT'] },
  { name: 'keys file that holds no key', cli: 'soak', argv: ['--client-keys-file', plan('keys-empty', '# comments only\n\n')], exit: 2, words: ['--client-keys-file', 'holds no key', '# comments'] },
  { name: 'keys file that is a folder', cli: 'soak', argv: ['--client-keys-file', tmp], exit: 2, words: ['--client-keys-file', 'EISDIR'] },
  { name: 'empty model name', cli: 'soak', argv: ['--model', ''], exit: 2, words: ['--model', 'non-empty'] },
  // soak: --target-profile (harness/soak/target-profile.ts) and --target-config (target-config.ts), refused before anything starts
  { name: 'target profile that is neither built in nor a file', cli: 'soak', argv: ['--target-profile', 'no-such-profile'], exit: 2, words: ['--target-profile no-such-profile', 'reference, openai-compatible'] },
  { name: 'target profile file that is not JSON', cli: 'soak', argv: ['--target-profile', plan('profile-not-json', '{routes: [')], exit: 2, words: ['--target-profile', 'profile-not-json.json', 'not JSON'] },
  { name: 'target profile file with an unknown field', cli: 'soak', argv: ['--target-profile', plan('profile-field', '{"routes":["chat"],"paths":["/v1"]}')], exit: 2, words: ['profile-field.json', 'field "paths"', 'unknown'] },
  { name: 'target profile file with an unknown route', cli: 'soak', argv: ['--target-profile', plan('profile-route', '{"routes":["chat","admin"]}')], exit: 2, words: ['profile-route.json', 'field "routes[1]"', '"admin"', 'health-scan'] },
  { name: 'target profile file with routes not a list', cli: 'soak', argv: ['--target-profile', plan('profile-routes-string', '{"routes":"chat"}')], exit: 2, words: ['profile-routes-string.json', 'field "routes"', 'expected an array'] },
  { name: 'target profile file with no routes', cli: 'soak', argv: ['--target-profile', plan('profile-empty', '{"routes":[]}')], exit: 2, words: ['profile-empty.json', 'field "routes"', 'empty'] },
  { name: 'target profile file with a route twice', cli: 'soak', argv: ['--target-profile', plan('profile-twice', '{"routes":["chat","chat"]}')], exit: 2, words: ['profile-twice.json', 'field "routes[1]"', 'twice'] },
  { name: 'target profile file with a bad name', cli: 'soak', argv: ['--target-profile', plan('profile-name', '{"name":"","routes":["chat"]}')], exit: 2, words: ['profile-name.json', 'field "name"'] },
  { name: 'target profile under which the scenario has no traffic', cli: 'soak', argv: ['--scenario', 'error-storm', '--target-profile', plan('profile-api-call', '{"routes":["api-call"]}')], exit: 2, words: ['--target-profile', 'error-storm', 'every phase would be skipped'] },
  { name: 'target config without --target-cmd', cli: 'soak', argv: ['--target-config', `${plan('tmpl-a', '{}')}:${at('cfg-a.json')}`], exit: 2, words: ['--target-config', 'only with --target-cmd'] },
  { name: 'target config without a colon', cli: 'soak', argv: ['--target-cmd', 'node x.js --port {port}', '--target-config', 'relay.tmpl'], exit: 2, words: ['--target-config', 'TEMPLATE:OUTPUT', '"relay.tmpl"'] },
  { name: 'target config whose template does not exist', cli: 'soak', argv: ['--target-cmd', 'node x.js --port {port}', '--target-config', `${at('no-such.tmpl')}:${at('cfg-b.json')}`], exit: 2, words: ['--target-config', 'no-such.tmpl', 'no such file'] },
  { name: 'target config whose output folder does not exist', cli: 'soak', argv: ['--target-cmd', 'node x.js --port {port}', '--target-config', `${plan('tmpl-c', '{}')}:${at('no-dir/cfg.json')}`], exit: 2, words: ['--target-config', 'no-dir', 'does not exist'] },
  { name: 'target config whose output is under a regular file', cli: 'soak', argv: ['--target-cmd', 'node x.js --port {port}', '--target-config', `${plan('tmpl-d', '{}')}:${join(aFile, 'cfg.json')}`], exit: 2, words: ['--target-config', aFile] },
  { name: 'target config whose output is on /proc', cli: 'soak', argv: ['--target-cmd', 'node x.js --port {port}', '--target-config', `${plan('tmpl-e', '{}')}:/proc/cfg.json`], exit: 2, words: ['--target-config', '/proc', 'proc'] },
  { name: 'target config whose output is a folder', cli: 'soak', argv: ['--target-cmd', 'node x.js --port {port}', '--target-config', `${plan('tmpl-f', '{}')}:${tmp}`], exit: 2, words: ['--target-config', 'is a directory'] },
  { name: 'target config whose template uses an unset variable', cli: 'soak', argv: ['--target-cmd', 'node x.js --port {port}', '--target-config', `${plan('tmpl-g', '{"token":"${SOAK_TEST_SURELY_UNSET}"}')}:${at('cfg-g.json')}`], exit: 2, words: ['--target-config', '${SOAK_TEST_SURELY_UNSET}', 'not set'] },
  { name: 'target config written into the run folder', cli: 'soak', argv: ['--out', at('cfg-run'), '--target-cmd', 'node x.js --port {port}', '--target-config', `${plan('tmpl-h', '{}')}:${at('cfg-run/relay.json')}`], exit: 2, words: ['--target-config', 'inside the run folder'] },
  { name: 'target config overwriting its own template', cli: 'soak', argv: ['--target-cmd', 'node x.js --port {port}', '--target-config', `${plan('tmpl-i', '{}')}:${at('tmpl-i.json')}`], exit: 2, words: ['--target-config', 'overwrite its template'] },
  { name: 'target command without {port}, nor in its config template', cli: 'soak', argv: ['--target-cmd', 'node x.js --config cfg.json', '--target-config', `${plan('tmpl-j', '{"listen":1}')}:${at('cfg-j.json')}`], exit: 2, words: ['--target-cmd', '{port}', '--target-config template'] },
  // soak: the target's own vitals (--target-metrics, --target-pprof, --judge-metric)
  { name: 'target metrics off the machine', cli: 'soak', argv: ['--target-cmd', 'x --port {port}', '--target-metrics', 'http://10.0.0.1:9090/metrics'], exit: 2, words: ['--target-metrics', 'loopback only', '10.0.0.1'] },
  { name: 'target metrics over https', cli: 'soak', argv: ['--target-cmd', 'x --port {port}', '--target-metrics', 'https://127.0.0.1:9090/metrics'], exit: 2, words: ['--target-metrics', 'http://127.0.0.1:PORT/path'] },
  { name: 'target metrics with a query', cli: 'soak', argv: ['--target-cmd', 'x --port {port}', '--target-metrics', 'http://127.0.0.1:9090/metrics?x=1'], exit: 2, words: ['--target-metrics', 'no query'] },
  { name: 'target metrics port out of range', cli: 'soak', argv: ['--target-cmd', 'x --port {port}', '--target-metrics', 'http://127.0.0.1:70000/metrics'], exit: 2, words: ['--target-metrics', 'port 70000', '[1, 65535]'] },
  { name: 'target metrics {port} on an attached process', cli: 'soak', argv: ['--target-pid', String(process.pid), '--target-url', UPSTREAM_URL, '--target-metrics', 'http://127.0.0.1:{port}/metrics'], exit: 2, words: ['--target-metrics', '{port}', '--target-pid'] },
  { name: 'target metrics without its value', cli: 'soak', argv: ['--target-metrics'], exit: 2, words: ['--target-metrics', 'missing value'] },
  { name: 'target pprof off the machine', cli: 'soak', argv: ['--target-cmd', 'x --port {port}', '--target-pprof', 'http://192.168.1.2:6060/debug/pprof'], exit: 2, words: ['--target-pprof', 'loopback only'] },
  { name: 'judge metric with a bad kind', cli: 'soak', argv: ['--judge-metric', 'go_goroutines:median'], exit: 2, words: ['--judge-metric', 'NAME[:slope|level]', 'go_goroutines:median'] },
  { name: 'judge metric that is not a series name', cli: 'soak', argv: ['--judge-metric', '9lives'], exit: 2, words: ['--judge-metric', '"9lives"'] },
  { name: 'judge metric given as slope and level', cli: 'soak', argv: ['--judge-metric', 'go_goroutines', '--judge-metric', 'go_goroutines:level'], exit: 2, words: ['--judge-metric', 'go_goroutines', 'both slope and level'] },
  { name: 'sample interval over its range', cli: 'soak', argv: ['--sample-interval', '30s'], exit: 2, words: ['--sample-interval', '250ms–5s'] },
  { name: 'sample interval under its range (the range --help prints)', cli: 'soak', argv: ['--sample-interval', '249ms'], exit: 2, words: ['--sample-interval', '250ms–5s'] },
  { name: 'heap sampling interval over its range', cli: 'soak', argv: ['--heap-sampling', '70000'], exit: 2, words: ['--heap-sampling', '65536'] },
  { name: 'heap sampling interval not a number', cli: 'soak', argv: ['--heap-sampling', 'lots'], exit: 2, words: ['--heap-sampling'] },
  // soak: --out that cannot be made (refused before anything starts; mkdir loops forever on /proc)
  { name: '--out under /proc', cli: 'soak', argv: ['--out', '/proc/x/run'], exit: 2, words: ['--out', '/proc/x/run', 'proc'] },
  { name: '--out under /sys', cli: 'soak', argv: ['--out', '/sys/x/run'], exit: 2, words: ['--out', 'sysfs'] },
  { name: '--out under a regular file', cli: 'soak', argv: ['--out', join(aFile, 'run')], exit: 2, words: ['--out', aFile, 'not a folder'] },
  { name: '--out is a regular file', cli: 'soak', argv: ['--out', aFile], exit: 2, words: ['--out', 'not a folder'] },
  { name: '--out under a device', cli: 'soak', argv: ['--out', '/dev/null/run'], exit: 2, words: ['--out', '/dev/null', 'not a folder'] },
  { name: '--out holding a run already', cli: 'soak', argv: ['--out', existingRun], exit: 2, words: ['--out', 'already holds a run'] },
  { name: '--out without its value', cli: 'soak', argv: ['--out'], exit: 2, words: ['--out', 'missing value'] },
  // --junit: the file's folder is checked before anything starts
  { name: '--junit under /proc', cli: 'soak', argv: ['--junit', '/proc/x/junit.xml'], exit: 2, words: ['--junit', 'proc'] },
  { name: '--junit is a folder', cli: 'soak', argv: ['--junit', tmpdir()], exit: 2, words: ['--junit', 'is a folder', 'junit.xml'] },
  { name: '--junit under a regular file', cli: 'soak', argv: ['--junit', join(aFile, 'junit.xml')], exit: 2, words: ['--junit', 'not a folder'] },
  { name: 'prove --junit under /proc', cli: 'soak', argv: ['prove', 'inflight-map', '--junit', '/proc/x/junit.xml'], exit: 2, words: ['--junit', 'proc'] },
  { name: 'compare --junit is a folder', cli: 'soak', argv: ['compare', existingRun, existingRun, '--junit', tmpdir()], exit: 2, words: ['--junit', 'is a folder'] },
  // prove
  { name: 'prove: no variant', cli: 'soak', argv: ['prove'], exit: 2, words: ['variant', 'got 0 argument'] },
  { name: 'prove: unknown variant', cli: 'soak', argv: ['prove', 'no-such-variant'], exit: 2, words: ['unknown variant "no-such-variant"', 'inflight-map'] },
  { name: 'prove: duration under a proof’s minimum', cli: 'soak', argv: ['prove', 'inflight-map', '--duration', '5s'], exit: 2, words: ['--duration', '30s–168h', 'a proof needs'] },
  { name: 'prove: negative rate', cli: 'soak', argv: ['prove', 'inflight-map', '--rate', '-5'], exit: 2, words: ['--rate', '"-5"'], not: ['ambiguous'] },
  { name: 'prove: until-verdict given a value', cli: 'soak', argv: ['prove', 'inflight-map', '--until-verdict=no'], exit: 2, words: ['--until-verdict', 'does not take an argument'] },
  { name: 'prove: negative accounts', cli: 'soak', argv: ['prove', 'inflight-map', '--accounts', '-1'], exit: 2, words: ['--accounts', '"-1"'], not: ['ambiguous'] },
  { name: 'prove: negative duration', cli: 'soak', argv: ['prove', 'inflight-map', '--duration', '-5s'], exit: 2, words: ['--duration', '"-5s"'], not: ['ambiguous'] },
  { name: 'prove: --out under /proc', cli: 'soak', argv: ['prove', 'inflight-map', '--out', '/proc/x'], exit: 2, words: ['--out', 'proc'] },
  { name: 'prove: --out missing its value', cli: 'soak', argv: ['prove', 'inflight-map', '--out', '-x'], exit: 2, words: ['--out', 'missing value', '--out=<value>'], not: ['ambiguous'] },
  { name: '--prove alias with a soak-only flag', cli: 'soak', argv: ['--prove', 'inflight-map', '--leak', 'error-body'], exit: 2, words: ['--leak'] },
  // calibrate
  { name: 'calibrate: negative budget', cli: 'soak', argv: ['calibrate', '--quick', '--budget', '-5m'], exit: 2, words: ['--budget', '"-5m"'] },
  { name: 'calibrate: --out under /proc', cli: 'soak', argv: ['calibrate', '--quick', '--out', '/proc/x'], exit: 2, words: ['--out', 'proc'] },
  { name: 'calibrate: --until-verdict on a resumed ledger', cli: 'soak', argv: ['calibrate', '--resume', '/tmp/no-such-calibration', '--until-verdict'], exit: 2, words: ['--resume', 'drop --until-verdict'] },
  // compare: arguments and run folders of the wrong shape (exit 2 naming file and field, not a TypeError and exit 3)
  { name: 'compare: one folder', cli: 'soak', argv: ['compare', goodA], exit: 2, words: ['two run folders'] },
  { name: 'compare: no such folder', cli: 'soak', argv: ['compare', at('nope-a'), goodB], exit: 2, words: ['<runA>', 'no such run folder'] },
  { name: 'compare: a folder without run.json', cli: 'soak', argv: ['compare', tmp, goodB], exit: 2, words: ['<runA>', 'not a run folder'] },
  { name: 'compare: run.json {}', cli: 'soak', argv: ['compare', runFolder('meta-empty', { meta: {} }), goodB], exit: 2, words: ['<runA>', 'run.json', 'recordVersion'], not: ['TypeError'] },
  { name: 'compare: run.json []', cli: 'soak', argv: ['compare', goodA, runFolder('meta-array', { meta: [] })], exit: 2, words: ['<runB>', 'run.json', 'JSON object', 'an array'], not: ['TypeError'] },
  { name: 'compare: run.json null', cli: 'soak', argv: ['compare', runFolder('meta-null', { meta: 'null' }), goodB], exit: 2, words: ['run.json', 'JSON object', 'null'], not: ['TypeError'] },
  { name: 'compare: run.json not JSON', cli: 'soak', argv: ['compare', runFolder('meta-torn', { meta: '{"runId": ' }), goodB], exit: 2, words: ['run.json', 'unreadable'] },
  { name: 'compare: run.json without target', cli: 'soak', argv: ['compare', runFolder('meta-no-target', { meta: noTarget }), goodB], exit: 2, words: ['run.json', 'target', 'missing'], not: ['TypeError'] },
  { name: 'compare: run.json with leaks not a list', cli: 'soak', argv: ['compare', runFolder('meta-leaks', { meta: { ...syntheticMeta(), leaks: 'inflight-map' } }), goodB], exit: 2, words: ['run.json:', 'leaks', 'array'], not: ['TypeError'] },
  { name: 'compare: run.json of an unknown recordVersion', cli: 'soak', argv: ['compare', runFolder('meta-v999', { meta: { ...syntheticMeta(), recordVersion: 999 } }), goodB], exit: 2, words: ['run.json:2', 'recordVersion', '999', 'reads 1'] },
  {
    name: 'compare: a checkpoint record of the wrong shape (file:line)',
    cli: 'soak',
    argv: ['compare', runFolder('cp-shape', { checkpoints: (t) => withLine(t, 3, '{"kind":"checkpoint","t":5}') }), goodB],
    exit: 2,
    words: ['checkpoints.ndjson:4', 'memory'],
  },
  {
    name: 'compare: a corrupt line in the middle is skipped, and said (file:line)',
    cli: 'soak',
    argv: ['compare', runFolder('cp-corrupt', { heapPerRequest: 500, checkpoints: (t) => withLine(t, 6, '{"kind":"checkpo') }), goodB],
    exit: 0,
    words: ['WARNING:', 'run A', '1 unreadable line(s)', 'checkpoints.ndjson:7', 'damaged'],
  },
  {
    name: 'compare: a torn last line is the expected kill, noted',
    cli: 'soak',
    argv: ['compare', runFolder('cp-torn', { heapPerRequest: 500, checkpoints: (t) => t + '{"kind":"checkpoint","t":9' }), goodB],
    exit: 0,
    words: ['note: run A: torn last line', 'checkpoints.ndjson:17', 'SIGKILL'],
    not: ['damaged', 'WARNING'],
  },
  // report
  { name: 'report: no such folder', cli: 'soak', argv: ['report', at('nope-report')], exit: 2, words: ['no such run folder'] },
  { name: 'report: run.json of an unknown recordVersion', cli: 'soak', argv: ['report', join(tmp, 'meta-v999')], exit: 2, words: ['run.json:2', 'recordVersion', '999'] },
  // relay/main.ts
  { name: 'relay: negative port', cli: 'relay', argv: ['--upstream', UPSTREAM_URL, '--accounts', '5', '--port', '-1'], exit: 2, words: ['--port', '[0, 65535]', '"-1"'], not: ['ambiguous'] },
  { name: 'relay: negative port with =', cli: 'relay', argv: ['--upstream', UPSTREAM_URL, '--accounts', '5', '--port=-1'], exit: 2, words: ['--port', '"-1"'] },
  { name: 'relay: negative decimal accounts', cli: 'relay', argv: ['--upstream', UPSTREAM_URL, '--accounts', '-.5'], exit: 2, words: ['--accounts', '"-.5"'], not: ['ambiguous'] },
  { name: 'relay: no accounts', cli: 'relay', argv: ['--upstream', UPSTREAM_URL], exit: 2, words: ['--accounts', 'required'] },
  { name: 'relay: upstream missing its value', cli: 'relay', argv: ['--accounts', '5', '--upstream', '-x'], exit: 2, words: ['--upstream', 'missing value'], not: ['ambiguous'] },
  { name: 'relay: upstream not http', cli: 'relay', argv: ['--upstream', 'ftp://x', '--accounts', '5'], exit: 2, words: ['--upstream', 'ftp:'] },
  { name: 'relay: unknown flag', cli: 'relay', argv: ['--bogus'], exit: 2, words: ['--bogus', 'unknown option'] },
  { name: 'relay: unknown leak', cli: 'relay', argv: ['--upstream', UPSTREAM_URL, '--accounts', '5', '--leak', 'nope'], exit: 2, words: ['--leak', 'nope'] },
  // mocks/main.ts
  { name: 'upstream: negative port', cli: 'upstream', argv: ['--port', '-1'], exit: 2, words: ['--port', '"-1"'], not: ['ambiguous'] },
  { name: 'upstream: negative seed', cli: 'upstream', argv: ['--seed', '-1'], exit: 2, words: ['--seed', '"-1"'], not: ['ambiguous'] },
  { name: 'upstream: negative token interval', cli: 'upstream', argv: ['--token-interval', '-5'], exit: 2, words: ['--token-interval', '"-5"'], not: ['ambiguous'] },
  { name: 'upstream: plan missing its value', cli: 'upstream', argv: ['--plan', '-x'], exit: 2, words: ['--plan', 'missing value'], not: ['ambiguous'] },
  { name: 'upstream: plan file that does not exist', cli: 'upstream', argv: ['--plan', at('no-plan.json')], exit: 2, words: ['--plan', 'cannot read', 'ENOENT'] },
  { name: 'upstream: plan not JSON', cli: 'upstream', argv: ['--plan', plan('not-json', 'nope')], exit: 2, words: ['--plan', 'not valid JSON'] },
  { name: 'upstream: plan without rules, its real error named', cli: 'upstream', argv: ['--plan', plan('no-rules', JSON.stringify({ sequences: [{ steps: ['bogus'] }] }))], exit: 2, words: ['plan.sequences[0].steps[0]', 'bogus'], not: ['plan.rules'] },
  { name: 'upstream: plan rules not a list', cli: 'upstream', argv: ['--plan', plan('rules-string', JSON.stringify({ rules: 'x' }))], exit: 2, words: ['plan.rules', 'array'] },
  { name: 'upstream: plan field misspelt', cli: 'upstream', argv: ['--plan', plan('typo', JSON.stringify({ rule: [] }))], exit: 2, words: ['plan.rule', 'unknown field'] },
  { name: 'upstream: plan probability out of range', cli: 'upstream', argv: ['--plan', plan('prob', JSON.stringify({ rules: [{ fault: '429', probability: 1.5 }] }))], exit: 2, words: ['plan.rules[0].probability', '1.5'] },
];

const SCRIPT = { soak: SOAK, relay: RELAY, upstream: UPSTREAM } as const;
const MARK = 'SOAK_BAD_INPUT_ROW';

/** Processes whose environment carries `mark`: a row's survivors. */
function processesMarked(mark: string): number[] {
  const needle = `${MARK}=${mark}`;
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(needle)) found.push(Number(entry));
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

function runRow(row: CliRow): { code: number | null; stdout: string; stderr: string; ms: number; out: string | null; survivors: number[] } {
  const verbMakesFolders = row.cli === 'soak' && !['compare', 'report'].includes(row.argv[0]!);
  const out = (row.freshOut ?? (verbMakesFolders && !row.argv.some((a) => a === '--out' || a.startsWith('--out=')))) ? at(`out-${randomUUID()}`) : null;
  const mark = randomUUID();
  const started = performance.now();
  const r = spawnSync(process.execPath, [SCRIPT[row.cli], ...row.argv, ...(out ? ['--out', out] : [])], {
    encoding: 'utf8',
    timeout: 15_000,
    // SIGKILL: a CLI stuck in a synchronous loop (mkdir on /proc, before the fix) never runs its SIGTERM handler.
    killSignal: 'SIGKILL',
    env: { ...process.env, [MARK]: mark },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - started, out, survivors: processesMarked(mark) };
}

describe('bad inputs: each CLI row → exit code and a message naming the real problem, nothing started', () => {
  for (const row of rows) {
    it(`${row.cli} ${row.name}`, () => {
      const r = runRow(row);
      const context = `${row.cli} ${row.argv.join(' ')}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
      expect(r.code, context).toBe(row.exit);
      for (const w of row.words) expect(r.stderr, context).toContain(w);
      for (const w of row.not ?? []) expect(r.stderr, context).not.toContain(w);
      for (const w of row.stdout ?? []) expect(r.stdout, context).toContain(w);
      if (row.exit === 2) {
        expect(r.stderr, context).not.toMatch(/\n\s+at .*\(file:/); // no stack
        expect(r.stdout, context).not.toMatch(/listening on/);
        expect(r.ms, context).toBeLessThan(FAST_MS);
      }
      if (r.out !== null) expect(existsSync(r.out), `${context}\nrun folder created: ${r.out}`).toBe(false);
      expect(r.survivors, context).toEqual([]);
    });
  }
});

interface HttpRow {
  name: string;
  method?: 'GET' | 'POST' | 'DELETE';
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  status: number;
  /** The OpenAI-style error code (`{"error":{code}}`). */
  code: string;
  words?: string[];
}

const chat = (extra: Record<string, unknown> = {}) => JSON.stringify({ model: 'gpt-5', messages: [{ role: 'user', content: 'hello' }], ...extra });
const JSON_TYPE = { 'content-type': 'application/json' };

const httpRows: HttpRow[] = [
  { name: 'a text/plain body', headers: { 'content-type': 'text/plain' }, body: chat(), status: 400, code: 'invalid_content_type', words: ['application/json', 'text/plain'] },
  { name: 'a form-encoded body (curl -d)', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: chat(), status: 400, code: 'invalid_content_type' },
  { name: 'no content-type', body: chat(), status: 400, code: 'invalid_content_type', words: ['none'] },
  { name: '"stream": "yes"', headers: JSON_TYPE, body: chat({ stream: 'yes' }), status: 400, code: 'invalid_type', words: ['stream', 'boolean'] },
  { name: '"stream": 1', headers: JSON_TYPE, body: chat({ stream: 1 }), status: 400, code: 'invalid_type', words: ['stream'] },
  { name: 'malformed JSON', headers: JSON_TYPE, body: '{"model":', status: 400, code: 'invalid_json' },
  { name: 'a JSON array', headers: JSON_TYPE, body: '[1,2]', status: 400, code: 'invalid_body' },
  { name: 'no model', headers: JSON_TYPE, body: '{"messages":[]}', status: 400, code: 'invalid_model' },
  { name: 'an unknown model', headers: JSON_TYPE, body: chat({ model: 'gpt-0' }), status: 404, code: 'model_not_found' },
  { name: 'an Idempotency-Key too long', headers: { ...JSON_TYPE, 'idempotency-key': 'k'.repeat(300) }, body: chat(), status: 400, code: 'invalid_idempotency_key' },
  { name: 'no client key', headers: { ...JSON_TYPE, authorization: '' }, body: chat(), status: 401, code: 'invalid_api_key' },
  { name: 'an unknown client key', headers: { ...JSON_TYPE, authorization: 'Bearer sk-unknown-000000' }, body: chat(), status: 401, code: 'invalid_api_key' },
  { name: 'GET on chat completions', method: 'GET', status: 405, code: 'method_not_allowed' },
  { name: 'an unknown route', method: 'GET', path: '/v1/nope', status: 404, code: 'not_found' },
  { name: 'a body over the limit', headers: JSON_TYPE, body: 'a'.repeat(65 * 1024), status: 413, code: 'request_too_large' },
];

describe('bad inputs: each HTTP row to the relay → status and an OpenAI-style error', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await startPair(20, { bodyLimitBytes: 64 * 1024 });
  });
  afterAll(async () => {
    await pair?.close();
  });

  for (const row of httpRows) {
    it(`relay ${row.name} → ${row.status} ${row.code}`, async () => {
      const headers: Record<string, string> = { authorization: `Bearer ${CLIENT_KEY}`, ...row.headers };
      if (headers.authorization === '') delete headers.authorization;
      const res = await request(`${pair.relay.url}${row.path ?? '/v1/chat/completions'}`, { method: row.method ?? 'POST', headers, body: row.body ?? null });
      const text = await res.body.text();
      expect(res.statusCode, text).toBe(row.status);
      const error = (JSON.parse(text) as { error: { message: string; type: string; code: string } }).error;
      expect(Object.keys(error).sort()).toEqual(['code', 'message', 'type']);
      expect(error.code).toBe(row.code);
      for (const w of row.words ?? []) expect(error.message).toContain(w);
    });
  }
});
