// `npm exec -- node scripts/check-index.ts <index.html> [--runs N]`: the
// nightly's merged index opened in headless Chromium the way a reader opens the
// artifact: offline (any request that is not file:, data: or blob: is refused
// and counted), no console or page error, one row per run in #runs-table, and
// every report link pointing at a file that exists. The workflow's merge job
// runs it, so a night whose index does not open fails there, not in a reader's
// browser. Chromium is Debian's (apt-get install -y chromium), driven by
// playwright-core, which downloads none.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { HELP_FLAG, type FlagSpecs } from '../shared/cli/flags.ts';
import { runCommand, runMain, type Command } from '../harness/cli/command.ts';
import { usageError } from '../harness/errors.ts';

export const CHECK_INDEX_FLAGS = {
  runs: { type: 'int', min: 1, max: 100_000, arg: 'N', help: 'the page must list at least this many runs (default 1)' },
  chromium: { type: 'string', nonEmpty: true, arg: 'path', help: 'Chromium binary (default $SOAK_CHROMIUM or /usr/bin/chromium)' },
  help: HELP_FLAG,
} as const satisfies FlagSpecs;

export interface IndexCheck {
  rows: number;
  foreign: string[];
  errors: string[];
  /** Report links whose file does not exist. */
  broken: string[];
}

/** Opens `file` and says what a reader would meet. */
export async function checkIndexPage(file: string, executablePath: string): Promise<IndexCheck> {
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    // The closed network refuses Chromium's own background connections: switch them off.
    args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    const foreign: string[] = [];
    const errors: string[] = [];
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (/^(file|data|blob):/.test(url)) return route.continue();
      foreign.push(url);
      return route.abort();
    });
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
    await page.goto(pathToFileURL(resolve(file)).href);
    const rows = await page.locator('#runs-table tbody tr').count();
    const hrefs = await page.locator('#runs-table a').evaluateAll((as) => as.map((a) => (a as unknown as { href: string }).href));
    const broken = hrefs.filter((h) => h.startsWith('file:') && !existsSync(fileURLToPath(h.split('#')[0]!)));
    return { rows, foreign, errors, broken };
  } finally {
    await browser.close();
  }
}

export const checkIndexCommand: Command<typeof CHECK_INDEX_FLAGS> = {
  name: 'check-index',
  usage: 'npm exec -- node scripts/check-index.ts <index.html> [--runs N] [--chromium PATH]',
  about: ['Opens an index.html in headless Chromium: offline, no errors, runs listed, report links that exist.'],
  flags: CHECK_INDEX_FLAGS,
  positionals: { min: 1, max: 1, names: 'an index.html' },
  exitCodes: ['0 the page opens clean, 1 it does not (what is wrong is listed), 2 usage error (no such file, no Chromium).'],
  async run({ values, positionals, io }) {
    const file = positionals[0]!;
    const executable = values.chromium ?? process.env.SOAK_CHROMIUM ?? '/usr/bin/chromium';
    if (!existsSync(file)) throw usageError(`${file}: no such file`);
    if (!existsSync(executable)) throw usageError(`--chromium: no Chromium at ${executable} (apt-get install -y chromium, or set SOAK_CHROMIUM)`);
    const r = await checkIndexPage(file, executable);
    const problems = [
      ...(r.rows < (values.runs ?? 1) ? [`${r.rows} run row(s) in #runs-table, expected at least ${values.runs ?? 1}`] : []),
      ...r.foreign.map((u) => `request off the page's folder: ${u}`),
      ...r.errors,
      ...r.broken.map((h) => `report link to a missing file: ${h}`),
    ];
    io.stdout.write(`check-index: ${file}: ${r.rows} run row(s), ${problems.length === 0 ? 'opens clean' : `${problems.length} problem(s)`}\n`);
    for (const p of problems) io.stdout.write(`  ${p}\n`);
    return problems.length === 0 ? 0 : 1;
  },
};

if (import.meta.main) runMain(() => runCommand(checkIndexCommand, process.argv.slice(2)), 'check-index');
