// The report in a real browser: headless Chromium (Debian's, installed by
// .ci/run) driven by playwright-core, opening report.html from file:// exactly
// as someone who downloaded a CI artifact would. Built from a real short soak
// and from a copy of it cut mid-line with no summary (a SIGKILLed harness).
// Fails on any request that is not file:/data:/blob:, on any console or page
// error, on a chart whose canvas drew nothing, on a verdict banner that
// disagrees with summary.json, and when the partial banner is missing.
// Screenshots: reports/runs/browser-test/*.png (not committed).

import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildIndex, buildProofReport, buildReport, compareRuns, runSoak } from '../../harness/index.ts';

// The functions passed to page.evaluate run in the page: its globals, not Node's.
declare const document: { querySelectorAll(s: string): ArrayLike<{ querySelector(s: string): PageCanvas | null }> };
declare function requestAnimationFrame(cb: () => void): number;
interface PageCanvas {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null;
}

const CHROMIUM = process.env.SOAK_CHROMIUM ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const SHOTS = resolve(import.meta.dirname, '../../reports/runs/browser-test');
const root = mkdtempSync(join(tmpdir(), 'soak-report-browser-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

if (!HAVE_CHROMIUM) {
  // Said once, plainly: CI installs Chromium (.ci/run), so there this never skips.
  console.warn(`report browser test skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set SOAK_CHROMIUM)`);
}

/** A copy of a run folder as a SIGKILLed harness leaves it: no summary.json, samples cut mid-line. */
function truncatedCopy(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const f of readdirSync(from)) if (f !== 'summary.json' && f !== 'report.html') copyFileSync(join(from, f), join(to, f));
  const samples = readFileSync(join(to, 'samples.ndjson'), 'utf8');
  writeFileSync(join(to, 'samples.ndjson'), samples.slice(0, Math.floor(samples.length * 0.7)));
  const meta = JSON.parse(readFileSync(join(to, 'run.json'), 'utf8')) as { outcome: unknown; endedAt: unknown };
  writeFileSync(join(to, 'run.json'), JSON.stringify({ ...meta, outcome: null, endedAt: null }));
}

interface PageCheck {
  foreign: string[];
  errors: string[];
  charts: number;
  blankCharts: number[];
  status: string | null;
  partial: boolean;
}

/** A page that refuses (and lists) every request not to file:/data:/blob:, and lists every console or page error. */
async function watchedPage(browser: Browser, height = 1000): Promise<{ page: Page; foreign: string[]; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1300, height } });
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
  return { page, foreign, errors };
}

async function open(browser: Browser, file: string, shot: string): Promise<PageCheck> {
  const { page, foreign, errors } = await watchedPage(browser);
  await page.goto(pathToFileURL(file).href);
  await page.waitForFunction(() => document.querySelectorAll('.chart canvas').length > 0, undefined, { timeout: 15_000 });
  // uPlot draws on the next frame: give every chart two frames.
  await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
  const drawn = await page.evaluate(() =>
    Array.from(document.querySelectorAll('.chart')).map((chart) => {
      const canvas = chart.querySelector('canvas');
      if (!canvas) return 0;
      const ctx = canvas.getContext('2d');
      if (!ctx || canvas.width === 0 || canvas.height === 0) return 0;
      const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      let painted = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
      return painted;
    }),
  );
  const status = (await page.locator('#verdict').count()) > 0 ? await page.locator('#verdict').getAttribute('data-status') : await page.locator('#proof').getAttribute('data-status');
  const partial = await page.locator('#partial').isVisible().catch(() => false);
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, shot), fullPage: true });
  await page.close();
  return { foreign, errors, charts: drawn.length, blankCharts: drawn.flatMap((n, i) => (n === 0 ? [i] : [])), status, partial };
}

describe.skipIf(!HAVE_CHROMIUM)('report.html in headless Chromium', () => {
  let browser: Browser;
  let full: string;
  let cut: string;
  let summaryStatus: string;

  beforeAll(async () => {
    full = join(root, 'full');
    const result = await runSoak({ scenario: 'mixed', accounts: 50, durationMs: 12_000, rate: 100, out: full, sampleIntervalMs: 1_000, drainMaxMs: 1_500 });
    expect(result.outcome.status).toBe('completed');
    summaryStatus = (JSON.parse(readFileSync(join(full, 'summary.json'), 'utf8')) as { verdict: { status: string } }).verdict.status;
    await buildReport(full);
    cut = join(root, 'cut');
    truncatedCopy(full, cut);
    await buildReport(cut);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      // The closed network refuses Chromium's own background connections: switch them off.
      args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('a finished run: offline, no errors, every chart drawn, the banner says what summary.json says', async () => {
    const r = await open(browser, join(full, 'report.html'), 'report-full.png');
    expect(r.foreign).toEqual([]);
    expect(r.errors).toEqual([]);
    expect(r.charts).toBeGreaterThanOrEqual(4);
    expect(r.blankCharts).toEqual([]);
    expect(r.status).toBe(summaryStatus);
    expect(r.partial).toBe(false);
  }, 60_000);

  it("the reference relay's structure gauges and the GC chart are drawn; every chart has its table and its CSV", async () => {
    const { page, errors } = await watchedPage(browser);
    await page.goto(pathToFileURL(join(full, 'report.html')).href);
    await page.waitForSelector('#chart-gc canvas', { timeout: 15_000 });
    await page.waitForSelector('#chart-gauges canvas', { timeout: 15_000 });
    const charts = await page.locator('.chart[data-chart]').count();
    expect(await page.locator('.chart[data-chart] details.chart-data').count()).toBe(charts);
    // The table behind the memory chart: built when opened, one row per checkpoint.
    await page.locator('#chart-memory details.chart-data summary').click();
    const rows = await page.locator('#chart-memory details.chart-data tbody tr').count();
    const checkpoints = readFileSync(join(full, 'checkpoints.ndjson'), 'utf8').trim().split('\n').length;
    expect(rows).toBe(checkpoints);
    // Its CSV: a header naming the series, then one line per row.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#chart-memory a.csv').click()]);
    const csv = readFileSync((await download.path())!, 'utf8').trim().split('\n');
    expect(csv[0]).toMatch(/^time_s,heapUsed post-GC,/);
    expect(csv).toHaveLength(checkpoints + 1);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('index.html over the runs: offline, no errors, one row per run, every report link opens a page that exists', async () => {
    const index = await buildIndex(root);
    const { page, foreign, errors } = await watchedPage(browser, 900);
    await page.goto(pathToFileURL(index.file).href);
    expect(await page.locator('#runs-table tbody tr').count()).toBe(index.runs);
    expect(index.runs).toBe(2); // full and cut
    const hrefs = await page.locator('#runs-table a').evaluateAll((as) => as.map((a) => (a as unknown as { href: string }).href));
    expect(hrefs.length).toBeGreaterThanOrEqual(2);
    for (const href of hrefs) expect(existsSync(new URL(href).pathname)).toBe(true);
    // The partial run is badged so.
    expect(await page.locator('#runs-table .badge.status-partial').count()).toBe(1);
    await page.locator('#runs-table a').first().click();
    await page.waitForSelector('#verdict');
    mkdirSync(SHOTS, { recursive: true });
    await page.goBack();
    await page.screenshot({ path: join(SHOTS, 'index.png'), fullPage: true });
    expect(foreign).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it("no output file of the run holds the reference relay's generated client or management key", () => {
    // The harness generates sk-soak-… and mk-soak-… keys for the reference relay (harness/soak/targets.ts);
    // they are in the relay's environment and the load's headers, never on disk.
    const leaked: string[] = [];
    for (const f of readdirSync(full)) {
      const text = readFileSync(join(full, f), 'utf8');
      for (const m of text.matchAll(/\b(sk|mk)-soak-[A-Za-z0-9_-]{16,}/g)) leaked.push(`${f}: ${m[0].slice(0, 12)}…`);
    }
    expect(readdirSync(full)).toEqual(expect.arrayContaining(['run.json', 'summary.json', 'samples.ndjson', 'checkpoints.ndjson', 'events.ndjson', 'report.html']));
    expect(leaked).toEqual([]);
  });

  it('a comparison page (compare --report): offline, no errors, every chart drawn, the banner says the outcome', async () => {
    // The run against itself: comparable by construction; the page, not the outcome, is under test.
    const { comparison, note } = compareRuns(full, full);
    const page = await buildProofReport({ leakyDir: full, fixedDir: full, comparison, proof: null, differences: null, note, out: join(root, 'compare.html') });
    const r = await open(browser, page.file, 'compare.png');
    expect(r.foreign).toEqual([]);
    expect(r.errors).toEqual([]);
    expect(r.charts).toBeGreaterThanOrEqual(2);
    expect(r.blankCharts).toEqual([]);
    expect(r.status).toBe(comparison.outcome.toUpperCase());
  }, 60_000);

  it('a folder cut mid-line with no summary: still a report, marked partial', async () => {
    const r = await open(browser, join(cut, 'report.html'), 'report-partial.png');
    expect(r.foreign).toEqual([]);
    expect(r.errors).toEqual([]);
    expect(r.blankCharts).toEqual([]);
    expect(r.partial).toBe(true);
  }, 60_000);
});
