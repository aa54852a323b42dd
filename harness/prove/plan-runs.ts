// Which runs a prove makes, and in what order. A proof is its variant's leaky
// run and a fixed run of the same scenario. The fixed relay is the same build
// whatever the variant (no --leak), so the variants whose proofs give it the
// same relay flags share ONE fixed run: `--prove all` makes 12 fixed runs for
// its 21 variants (mixed alone serves seven), where it made 21, at ≈ 2 min each
// (measured, 2026-12-07: 112–131 s per fixed run, 90 s of it load).

import { join } from 'node:path';
import { LEAK_CATALOG, type LeakEntry } from '../../relay/leaks/catalog.ts';
import { proofPlanFor } from '../judge/proof-plan.ts';

export type ProveSide = 'leaky' | 'fixed';

export interface ProveRun {
  side: ProveSide;
  /** The variant whose proof plan sets the run up: the leaky run's own; a fixed run's first user. */
  entry: LeakEntry;
  /** The proofs that read this run (one for a leaky run). */
  variants: string[];
  /** Its run folder. */
  dir: string;
}

export interface ProvePair {
  variant: string;
  leaky: ProveRun;
  fixed: ProveRun;
}

export interface ProvePlanOfRuns {
  /** In the order they start. */
  runs: ProveRun[];
  /** In the order the variants were given. */
  proofs: ProvePair[];
}

/** What makes two fixed runs the same run: the scenario and the relay flags the proof plan adds. */
function fixedKey(entry: LeakEntry, accounts: number): string {
  return JSON.stringify([entry.scenario, proofPlanFor(entry, accounts).relayArgs]);
}

/**
 * A level read under load (not at drained checkpoints) is compared with the
 * fixed run's level under load: such a leaky run goes right after its fixed run,
 * so that with two lanes the two run side by side and share the machine's
 * conditions (harness/prove/run.ts).
 */
function comparedUnderLoad(entry: LeakEntry, accounts: number): boolean {
  return proofPlanFor(entry, accounts).level?.where === 'under-load';
}

/**
 * The runs of a prove over `variants` (catalog names, validated), their folders
 * under `base`: per group of variants sharing a fixed run, the fixed run then
 * their leaky runs (those compared under load first), groups in the order of
 * their first variant. A fixed run read by one proof is `<variant>-fixed` as it
 * always was; a shared one is `<scenario>-fixed`.
 */
export function planProveRuns(variants: readonly string[], base: string, accounts: number): ProvePlanOfRuns {
  const groups = new Map<string, LeakEntry[]>();
  for (const name of variants) {
    const entry = LEAK_CATALOG.find((e) => e.name === name);
    if (!entry) throw new Error(`planProveRuns: unknown variant "${name}"`);
    const key = fixedKey(entry, accounts);
    groups.set(key, [...(groups.get(key) ?? []), entry]);
  }
  const runs: ProveRun[] = [];
  const proofs = new Map<string, ProvePair>();
  const usedDirs = new Set<string>();
  const uniqueDir = (name: string): string => {
    let dir = join(base, name);
    for (let i = 2; usedDirs.has(dir); i++) dir = join(base, `${name}-${i}`);
    usedDirs.add(dir);
    return dir;
  };
  for (const entries of groups.values()) {
    const first = entries[0]!;
    const fixed: ProveRun = {
      side: 'fixed',
      entry: first,
      variants: entries.map((e) => e.name),
      dir: uniqueDir(entries.length === 1 ? `${first.name}-fixed` : `${first.scenario}-fixed`),
    };
    runs.push(fixed);
    const ordered = [...entries.filter((e) => comparedUnderLoad(e, accounts)), ...entries.filter((e) => !comparedUnderLoad(e, accounts))];
    for (const entry of ordered) {
      const leaky: ProveRun = { side: 'leaky', entry, variants: [entry.name], dir: uniqueDir(`${entry.name}-leaky`) };
      runs.push(leaky);
      proofs.set(entry.name, { variant: entry.name, leaky, fixed });
    }
  }
  return { runs, proofs: variants.map((v) => proofs.get(v)!) };
}
