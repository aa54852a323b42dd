// The run's facts as label/value rows, and the command that reproduces it.
// Everything shown here passes through redact.ts first (index.ts redacts the
// whole RunMeta before it gets here).

import type { RunMeta } from '../harness/run/meta.ts';
import { durationText } from '../shared/duration.ts';
import { describeOutcome } from './verdict.ts';
import type { RunOutcome } from '../harness/records.ts';

interface PhaseLike {
  name?: string;
  kind?: string;
  startMs?: number;
  endMs?: number;
  rate?: { from?: number; to?: number } | null;
  connections?: unknown;
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=,@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Flags of the harness's own argv worth repeating (they change what the run measured). */
const REPEATED_FLAGS = ['--rate', '--connections', '--sample-interval', '--no-probe'];

/**
 * `npm run soak -- …` with the run's scenario, seed, accounts, duration and
 * leaks, the target when it was not the reference relay, and the load-shaping
 * flags the harness was given. A `prove` run becomes the single soak run it
 * made (its leaks are in run.json). A --target-pid run cannot be repeated as
 * such: the process is gone; the command names the flags with placeholders.
 */
export function reproduceCommand(meta: RunMeta): string {
  const parts = ['npm', 'run', 'soak', '--'];
  parts.push('--scenario', shellQuote(String(meta.scenario)));
  parts.push('--seed', String(meta.seed));
  if (typeof meta.accounts === 'number') parts.push('--accounts', String(meta.accounts));
  if (typeof meta.durationMs === 'number' && meta.durationMs > 0) parts.push('--duration', durationText(meta.durationMs));
  if (Array.isArray(meta.leaks) && meta.leaks.length > 0) parts.push('--leak', shellQuote(meta.leaks.join(',')));
  const target = meta.target;
  if (target?.kind === 'cmd' && target.command) parts.push('--target-cmd', shellQuote(target.command));
  if (target?.kind === 'pid') parts.push('--target-pid', '<pid>', '--target-url', shellQuote(target.url ?? '<url>'));
  const argv = Array.isArray(meta.harness?.argv) ? meta.harness.argv : [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const flag = a.split('=')[0]!;
    if (!REPEATED_FLAGS.includes(flag)) continue;
    if (a.includes('=') || flag === '--no-probe') parts.push(shellQuote(a));
    else if (argv[i + 1] !== undefined) parts.push(flag, shellQuote(argv[++i]!));
  }
  return parts.join(' ');
}

/** A time into the run as the charts' axis reads it (49.5s, 2m, 1h). */
function at(ms: number): string {
  return ms < 600_000 ? `${Number((ms / 1000).toFixed(1))}s` : durationText(Math.round(ms / 1000) * 1000);
}

export function phasesText(resolved: unknown): string[] {
  const phases = (resolved as { phases?: PhaseLike[] } | null)?.phases;
  if (!Array.isArray(phases)) return [];
  return phases.map((p) => {
    const span = typeof p.startMs === 'number' && typeof p.endMs === 'number' ? ` ${at(p.startMs)}–${at(p.endMs)}` : '';
    const rate = p.rate && typeof p.rate.from === 'number' ? (p.rate.from === p.rate.to ? `, ${p.rate.from} req/s` : `, ${p.rate.from}→${p.rate.to} req/s`) : '';
    return `${p.name ?? '?'} (${p.kind ?? '?'})${span}${rate}`;
  });
}

function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}

export interface Fact {
  label: string;
  value: string | string[];
  /** Rendered as code. */
  code?: boolean;
}

export function runFacts(meta: RunMeta, outcome: RunOutcome | null, extra: { samples: number; checkpoints: number; wallMs?: number }): Fact[] {
  const t = meta.target ?? ({} as Partial<RunMeta['target']>);
  const m = meta.machine ?? ({} as Partial<RunMeta['machine']>);
  const h = meta.harness ?? ({} as Partial<RunMeta['harness']>);
  const description = (meta.resolved as { description?: unknown } | null)?.description;
  const facts: Fact[] = [
    { label: 'run id', value: String(meta.runId ?? '—') },
    { label: 'scenario', value: `${meta.scenario}${typeof description === 'string' ? ` — ${description}` : ''}` },
    { label: 'phases', value: phasesText(meta.resolved) },
    { label: 'seed', value: String(meta.seed) },
    { label: 'accounts', value: String(meta.accounts ?? '—') },
    { label: 'duration (load)', value: typeof meta.durationMs === 'number' ? durationText(meta.durationMs) : '—' },
    { label: 'leak variants', value: Array.isArray(meta.leaks) && meta.leaks.length > 0 ? meta.leaks.join(', ') : 'none (fixed / reference behaviour)' },
    { label: 'target', value: `${t.kind ?? '?'}${t.pid ? `, pid ${t.pid}` : ''}${t.url ? `, ${t.url}` : ''}` },
    { label: 'target command', value: t.command ?? '—', code: true },
    { label: 'target Node', value: `${t.nodeVersion ?? 'unknown'}${t.execArgv && t.execArgv.length > 0 ? ` ${t.execArgv.join(' ')}` : ''}`, code: true },
    { label: 'target heap limit', value: typeof t.heapSizeLimit === 'number' ? `${(t.heapSizeLimit / 2 ** 20).toFixed(0)} MiB (v8 heap_size_limit)` : 'unknown' },
    { label: 'harness Node', value: `${h.nodeVersion ?? '?'}${h.execArgv && h.execArgv.length > 0 ? ` ${h.execArgv.join(' ')}` : ''}`, code: true },
    { label: 'harness argv', value: Array.isArray(h.argv) && h.argv.length > 0 ? h.argv.map(shellQuote).join(' ') : '—', code: true },
    { label: 'git sha', value: meta.gitSha ?? 'unknown', code: true },
    { label: 'machine', value: `${m.hostname ?? '?'}: ${m.cores ?? '?'} × ${m.cpuModel ?? '?'}, ${typeof m.memoryBytes === 'number' ? gib(m.memoryBytes) : '?'}, kernel ${m.kernel ?? '?'}` },
    { label: 'started', value: meta.startedAt ?? '—' },
    { label: 'ended', value: meta.endedAt ?? 'not recorded' },
    { label: 'wall time', value: extra.wallMs !== undefined ? durationText(Math.round(extra.wallMs / 1000) * 1000) : '—' },
    { label: 'outcome', value: describeOutcome(outcome) },
    { label: 'records', value: `${extra.checkpoints} checkpoints, ${extra.samples} samples` },
  ];
  if (outcome?.status === 'target-crashed' && Array.isArray(outcome.stderrTail) && outcome.stderrTail.length > 0) {
    facts.push({ label: 'target stderr (tail)', value: outcome.stderrTail.join('\n'), code: true });
  }
  return facts;
}
