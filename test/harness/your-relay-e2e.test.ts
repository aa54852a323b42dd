// End to end, a user's own relay (docs/your-relay.md), short runs:
// - a --target-cmd target that answers 400 to everything: a loud WARNING line
//   within the first seconds of load, the progress error count showing the
//   4xx, the first body recorded (redacted) and quoted in the INCONCLUSIVE
//   reason, exit 4; and, under the default openai-compatible profile, not
//   one management request sent to it nor a management event counted;
// - a relay configured by file (--target-config) through the CLI, with one
//   planted secret in every input (SOAK_CLIENT_KEY, the command line, an
//   environment variable the template pulls in, a --header value, the
//   template itself), echoed back by the target in bodies and on stderr:
//   no file of the run folder, report.html included, holds any of them.
// Run under `flock /tmp/soak-bench.lock` (they drive load).

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT, readRun, runSoak, SOAK_FLAGS } from '../../harness/index.ts';

const CLI = resolve(import.meta.dirname, '../../harness/cli.ts');
const root = mkdtempSync(join(tmpdir(), 'soak-your-relay-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const node = JSON.stringify(process.execPath);

const MANAGEMENT = /\/v0\/management\//;

describe('your relay, end to end', () => {
  it('a target answering 400 to everything: WARNING in the first seconds, 4xx in the error count, the first body in the reason, exit 4, no management traffic', async () => {
    const paths = join(root, 'paths.txt');
    const server = join(root, 'refusing.mjs');
    writeFileSync(
      server,
      `import http from 'node:http'; import { appendFileSync } from 'node:fs';
const port = Number(process.argv[process.argv.indexOf('--port') + 1]);
const seen = new Set();
http.createServer((req, res) => {
  const p = req.method + ' ' + req.url.split('?')[0];
  if (!seen.has(p)) { seen.add(p); appendFileSync(${JSON.stringify(paths)}, p + '\\n'); }
  req.resume(); req.on('end', () => { res.statusCode = 400; res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ error: { message: 'missing x-provider header', type: 'invalid_request_error', you_sent: req.headers.authorization ?? null } })); });
}).listen(port, '127.0.0.1');`,
    );
    const out = join(root, 'refused');
    const progress = new PassThrough();
    let text = '';
    progress.on('data', (c: Buffer) => (text += c.toString()));
    const result = await runSoak({
      scenario: 'mixed',
      accounts: 50,
      durationMs: 10_000,
      rate: 100,
      out,
      sampleIntervalMs: 1_000,
      drainMaxMs: 1_000,
      target: { kind: 'cmd', command: `${node} ${JSON.stringify(server)} --port {port}` },
      progressStream: progress,
    });
    expect(result.outcome.status).toBe('completed');
    expect(result.exitCode).toBe(EXIT.unserved);
    expect(result.verdict?.status).toBe('INCONCLUSIVE');
    const reason = result.verdict!.reasons[0]!;
    expect(reason).toMatch(/answered 4xx \(missing routing header\?/);
    expect(reason).toMatch(/every 4xx was 400, first body: \{"error":\{"message":"missing x-provider header".*"you_sent":"Bearer \[redacted\]"/);

    // The loud line: once, in plain (non-TTY) progress output, within the first seconds of load.
    const warnings = text.split('\n').filter((l) => l.startsWith('WARNING target is not serving the load'));
    expect(warnings).toHaveLength(1);
    // ≈ 100 %: a connection or two of the first segment can fail before answering (counted as no answer).
    expect(warnings[0]).toMatch(/^WARNING target is not serving the load: (9\d|100) % 400 of its first \d+ requests \(0 % answered correctly\): missing routing header\?.*first 400 body: .*missing x-provider header/);
    const run = readRun(out);
    const firstPhase = run.events.find((e) => e.type === 'phase')!;
    const warned = run.events.find((e) => e.type === 'warning' && e.message.startsWith('WARNING target is not serving'))!;
    expect(warned.t - firstPhase.t).toBeLessThan(5_000);
    // The progress error count includes the 4xx the fault plan did not inject.
    const errs = [...text.matchAll(/\| (\d+) err \|/g)].map((m) => Number(m[1]));
    expect(Math.max(...errs)).toBeGreaterThan(0);

    // First unexpected response recorded (redacted); skip lines for the management routes.
    const first = run.events.find((e) => e.message.startsWith('first unexpected response: 400'))!;
    expect(first.message).toContain('Bearer [redacted]');
    expect(run.events.some((e) => e.type === 'info' && /^phase health-scan: not sending api-call .*target profile openai-compatible/.test(e.message))).toBe(true);
    expect(text).toMatch(/phase account-churn: not sending .*account-sync/);

    // Not one management request reached the target, and no management event was counted.
    const sent = readFileSync(paths, 'utf8').trim().split('\n');
    expect(sent.filter((p) => MANAGEMENT.test(p))).toEqual([]);
    expect(sent).toContain('POST /v1/chat/completions');
    const last = run.checkpoints.at(-1)!;
    for (const e of ['api-call', 'scan', 'sync-event', 'sync-snapshot', 'relay-scan']) expect(last.events[e] ?? 0, e).toBe(0);
  }, 60_000);

  it('a relay configured by file, a secret planted in every input: the rendered config reaches the target, no run file holds a secret', async () => {
    const planted = {
      clientKey: 'plantedclientkey0001', // not key-shaped: only the run's own secrets can redact it
      command: 'plantedcommandtoken0002',
      env: 'plantedenvtoken0003',
      header: 'plantedheadervalue0004',
      template: 'plantedtemplatesecret0005',
    };
    const hasHeader = Object.hasOwn(SOAK_FLAGS, 'header');
    const template = join(root, 'relay.tmpl.json');
    const config = join(root, 'relay.json');
    // The template's own literal is a secret only by its name (…_secret is not a KEY/TOKEN env name): the
    // target never echoes it, but it must not be copied into the run folder either.
    writeFileSync(template, JSON.stringify({ upstream: '{upstream}', listen: '{port}', key: '{key}', token: '${PLANTED_ENV_TOKEN}', literal_secret: planted.template }));
    const server = join(root, 'configured.mjs');
    writeFileSync(
      server,
      `import http from 'node:http'; import { readFileSync } from 'node:fs';
const cfg = JSON.parse(readFileSync(process.argv[process.argv.indexOf('--config') + 1], 'utf8'));
const echo = [cfg.key, cfg.token, process.env.UPSTREAM_TOKEN, process.env.SOAK_UPSTREAM_URL === cfg.upstream ? 'same-upstream' : 'other-upstream'].join(' ');
process.stderr.write('configured relay: ' + echo + '\\n');
const completion = JSON.stringify({ id: 'c', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }] });
const sse = 'data: ' + JSON.stringify({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'hi' } }] }) + '\\n\\ndata: [DONE]\\n\\n';
http.createServer((req, res) => {
  let body = ''; req.on('data', (c) => (body += c)); req.on('end', () => {
    const auth = req.headers.authorization ?? '';
    if (auth !== 'Bearer ' + cfg.key) { res.statusCode = 401; res.end(JSON.stringify({ error: 'bad key ' + auth })); return; }
    if (req.url.startsWith('/v1/models')) { res.statusCode = 403; res.setHeader('content-type', 'application/json'); res.end(JSON.stringify({ error: 'models off; config: ' + echo + ' header: ' + (req.headers['x-planted'] ?? '') })); return; }
    if (body.includes('"stream":true')) { res.setHeader('content-type', 'text/event-stream'); res.end(sse); return; }
    res.setHeader('content-type', 'application/json'); res.end(completion);
  });
}).listen(Number(cfg.listen), '127.0.0.1');`,
    );
    const out = join(root, 'planted');
    const argv = [
      CLI,
      '--scenario', 'mixed', '--duration', '10s', '--rate', '80', '--accounts', '50', '--sample-interval', '1s', '--out', out,
      '--target-cmd', `UPSTREAM_TOKEN=${planted.command} ${node} ${JSON.stringify(server)} --config ${JSON.stringify(config)}`,
      '--target-config', `${template}:${config}`,
      ...(hasHeader ? ['--header', `x-planted: ${planted.header}`] : []),
    ];
    const child = spawn(process.execPath, argv, { env: { ...process.env, SOAK_CLIENT_KEY: planted.clientKey, PLANTED_ENV_TOKEN: planted.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect([EXIT.ok, EXIT.unserved], `${stdout}\n${stderr}`).toContain(code);

    // The rendered config reached the target (it listened on the port from the file and accepted the key).
    const rendered = JSON.parse(readFileSync(config, 'utf8')) as Record<string, string>;
    expect(rendered.key).toBe(planted.clientKey);
    expect(rendered.token).toBe(planted.env);
    expect(rendered.upstream).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const run = readRun(out);
    const served = run.samples.reduce((n, s) => n + (s.load?.status['2xx'] ?? 0), 0);
    expect(served).toBeGreaterThan(100);
    // The target answered its /v1/models 403 with every secret in the body: recorded, redacted.
    const first = run.events.find((e) => e.message.startsWith('first unexpected response: 403'));
    expect(first?.message).toContain('same-upstream');
    expect(first?.message).toContain('[redacted]');

    expect(existsSync(join(out, 'report.html'))).toBe(true);
    const files = readdirSync(out);
    expect(files).not.toContain('relay.json');
    for (const f of files) {
      const body = readFileSync(join(out, f), 'utf8');
      for (const [where, secret] of Object.entries(planted)) {
        if (where === 'header' && !hasHeader) continue;
        expect(body.includes(secret), `${f} holds the ${where} secret`).toBe(false);
      }
    }
    for (const [where, secret] of Object.entries(planted)) expect(stdout.includes(secret) || stderr.includes(secret), `terminal output holds the ${where} secret`).toBe(false);
  }, 60_000);
});
