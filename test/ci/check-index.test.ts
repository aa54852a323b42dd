// scripts/check-index.ts, the merge job's last look at the night's index: a
// clean page passes, and a page with a script error, a request off its folder
// and a dead report link fails with each named. Needs Debian's Chromium
// (apt-get install -y chromium, or SOAK_CHROMIUM); skipped, and said, without it.

import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { checkIndexCommand } from '../../scripts/check-index.ts';
import { runCommand } from '../../harness/cli/command.ts';

const CHROMIUM = process.env.SOAK_CHROMIUM ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) console.warn(`check-index test skipped: no Chromium at ${CHROMIUM}`);

const tmp = mkdtempSync(join(tmpdir(), 'check-index-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const page = (body: string) => `<!doctype html><html><head><meta charset="utf-8"><title>index</title></head><body>${body}</body></html>`;
const table = (links: string[]) => `<table id="runs-table"><tbody>${links.map((l) => `<tr><td><a href="${l}">run</a></td></tr>`).join('')}</tbody></table>`;

async function check(file: string): Promise<{ code: number; out: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await runCommand(checkIndexCommand, [file, '--chromium', CHROMIUM], { stdout, stderr });
  return { code, out };
}

describe.skipIf(!HAVE_CHROMIUM)('scripts/check-index.ts in headless Chromium', () => {
  it('a clean page: exit 0', async () => {
    mkdirSync(join(tmp, 'clean', 'run-1'), { recursive: true });
    writeFileSync(join(tmp, 'clean', 'run-1', 'report.html'), page('report'));
    writeFileSync(join(tmp, 'clean', 'index.html'), page(table(['run-1/report.html'])));
    const r = await check(join(tmp, 'clean', 'index.html'));
    expect(r.out).toMatch(/1 run row\(s\), opens clean/);
    expect(r.code).toBe(0);
  }, 60_000);

  it('a script error, a request off the page and a dead link: exit 1, each named', async () => {
    mkdirSync(join(tmp, 'broken'), { recursive: true });
    writeFileSync(join(tmp, 'broken', 'index.html'), page(`${table(['run-9/report.html'])}<img src="http://192.0.2.1/x.png"><script>throw new Error('boom')</script>`));
    const r = await check(join(tmp, 'broken', 'index.html'));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/request off the page's folder: http:\/\/192\.0\.2\.1\/x\.png/);
    expect(r.out).toMatch(/page: boom/);
    expect(r.out).toMatch(/report link to a missing file: file:\/\/\S+run-9\/report\.html/);
  }, 60_000);

  it('no runs listed: exit 1; no such file: exit 2', async () => {
    writeFileSync(join(tmp, 'empty.html'), page(table([])));
    expect((await check(join(tmp, 'empty.html'))).code).toBe(1);
    const missing = await check(join(tmp, 'nope.html'));
    expect(missing.code).toBe(2);
    expect(missing.out).toMatch(/nope\.html: no such file/);
  }, 60_000);
});
