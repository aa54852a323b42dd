// --profile on a real short run of the reference relay: the profile is written
// when the relay exits, listed in run.json, linked from the report.

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildReport, runSoak } from '../../harness/index.ts';
import { findClinic } from '../../harness/profile/plan.ts';
import { PROJECT_ROOT } from '../../harness/soak/paths.ts';

const root = mkdtempSync(join(tmpdir(), 'soak-profile-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const run = (out: string, profile: string) =>
  runSoak({ scenario: 'calibration', accounts: 50, durationMs: 5_000, rate: 100, out, sampleIntervalMs: 1_000, drainMaxMs: 1_500, profile, target: { kind: 'relay', extraArgs: ['--keep-alive-timeout', '300'] } });

describe('--profile', () => {
  it('cpu: a .cpuprofile in profile/, in run.json, under the verdict and linked from the report', { timeout: 60_000 }, async () => {
    const out = join(root, 'cpu');
    const result = await run(out, 'cpu');
    expect(result.outcome.status).toBe('completed');
    const meta = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { profile: { mode: string; tool: string; files: string[] } };
    expect(meta.profile.mode).toBe('cpu');
    expect(meta.profile.tool).toBe('node');
    expect(meta.profile.files.length).toBe(1);
    expect(meta.profile.files[0]).toMatch(/^profile\/CPU\..*\.cpuprofile$/);
    const profile = JSON.parse(readFileSync(join(out, meta.profile.files[0]!), 'utf8')) as { nodes: unknown[] };
    expect(profile.nodes.length).toBeGreaterThan(100);
    expect(result.verdictText).toContain('profiled with node --cpu-prof');
    const { file } = await buildReport(out);
    const html = readFileSync(file, 'utf8');
    expect(html).toMatch(/<section id="profile">.*href="profile\/CPU\.[^"]+\.cpuprofile"/s);
  });

  it.skipIf(findClinic(PROJECT_ROOT) !== null)('doctor without clinic installed: node --cpu-prof instead, and the run says so', { timeout: 60_000 }, async () => {
    const out = join(root, 'doctor');
    const result = await run(out, 'doctor');
    expect(result.outcome.status).toBe('completed');
    expect(result.profile?.fallback).toMatch(/^clinic is not installed/);
    expect(result.profile?.files.some((f) => f.endsWith('.cpuprofile'))).toBe(true);
    expect(result.verdictText).toContain('(clinic is not installed');
    expect(existsSync(join(out, 'profile'))).toBe(true);
  });

  // clinic is a devDependency: `npm ci` installs it, so CI runs this. Stopped with SIGINT, clinic writes its HTML after the relay exits.
  it.runIf(findClinic(PROJECT_ROOT) !== null)('doctor under clinic: its HTML report in profile/, in run.json, linked from the report; no trace files left behind', { timeout: 240_000 }, async () => {
    const out = join(root, 'clinic-doctor');
    const result = await run(out, 'doctor');
    expect(result.outcome.status).toBe('completed');
    expect(result.profile).toMatchObject({ mode: 'doctor', tool: 'clinic', fallback: null });
    const html = result.profile!.files.find((f) => /^profile\/\d+\.clinic-doctor\.html$/.test(f));
    expect(html, result.profile!.files.join(', ')).toBeDefined();
    expect(readFileSync(join(out, html!), 'utf8').length).toBeGreaterThan(100_000);
    expect(result.verdictText).toContain('profiled with clinic doctor');
    // clinic doctor writes node_trace.*.log into its cwd, and refuses to start beside old ones: the cwd is the profile folder.
    expect(readdirSync(PROJECT_ROOT).filter((f) => f.startsWith('node_trace.'))).toEqual([]);
    const { file } = await buildReport(out);
    expect(readFileSync(file, 'utf8')).toContain(`href="${html}"`);
  });

  it('refuses --target-pid before anything starts', async () => {
    await expect(runSoak({ profile: 'cpu', target: { kind: 'pid', pid: process.pid, url: 'http://127.0.0.1:1' } })).rejects.toMatchObject({ code: 'SOAK_ERR_USAGE', message: expect.stringMatching(/^--profile needs a target the harness starts/) });
  });
});
