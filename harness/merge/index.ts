// mergeRuns: the run folders and proof records of many shards (the CI jobs of
// one night, or of many, each downloaded as an artifact tree, from machines
// whose clocks differ) copied into one folder, each run held to its baseline
// (baseline.ts), and one index.html over all of them (buildIndex: newest first
// by each run's own recorded start time, the trend per scenario+variant).
//
// Inputs are never modified: everything is checked first (inputs.ts), copied
// into a temporary sibling of --out (timestamps kept, so a current report.html
// stays current), renamed to --out, and only then indexed; a failure at any
// step removes what this call created. Each shard keeps its own folder
// (`<out>/<shard>/<path inside the shard>`), so two shards holding a run of the
// same name keep both, and a proof record stays next to its two run folders.
// run.json is copied as it is: the host and Node each run recorded stay with it
// (and are shown on the index and listed in merge.json).

import { cpSync, existsSync, mkdirSync, renameSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { buildIndex, DEFAULT_MAX_DEPTH } from '../../reports/index-page/index.ts';
import { judgeNights, whereFrom, type HeldToJudgement, type NightRun } from './baseline.ts';
import { resolveMergeInputs, type Shard } from './inputs.ts';

export { judgeNights, holdRunTo, holdProofTo, type HeldToJudgement, type NightRun, type NightProof } from './baseline.ts';
export { mergeSuite } from './junit.ts';

export interface MergeOptions {
  /** Shard folders: each holds run folders (up to `maxDepth` levels down) and proof records. */
  inputs: readonly string[];
  /** The folder to write: must not exist or be empty, and lie outside every input. */
  out: string;
  /** Hold each run to the newest run of its scenario+variant here (a run folder, or a previous merge or index folder) instead of the previous night's. */
  baseline?: string;
  /** How deep to look for run folders in each shard; default 3. */
  maxDepth?: number;
}

export interface MergedShard {
  name: string;
  input: string;
  runs: number;
  proofs: number;
  hosts: string[];
  nodeVersions: string[];
}

export interface MergeResult {
  out: string;
  /** The index over the merge. */
  index: string;
  /** merge.json: what was copied from where, and the comparisons. */
  manifest: string;
  shards: MergedShard[];
  runs: number;
  proofs: number;
  /** Runs and proofs that regressed against their baseline, with why. */
  regressions: Array<{ kind: 'run' | 'proof'; label: string; group: string; against: string; why: string[] }>;
  judgement: HeldToJudgement;
}

/** A copy that keeps mtimes (reportIsCurrent compares them) and never overwrites. */
function copy(src: string, dst: string): void {
  mkdirSync(dirname(dst), { recursive: true });
  cpSync(src, dst, { recursive: true, preserveTimestamps: true, errorOnExist: true, force: false, verbatimSymlinks: true });
}

function copyShard(shard: Shard, into: string): { runs: string[]; proofs: string[] } {
  const dst = (p: string) => join(into, shard.name, relative(shard.input, p));
  const runs = shard.runs.map((r) => (copy(r, dst(r)), dst(r)));
  const proofs = shard.proofs.map((p) => {
    copy(p, dst(p));
    const page = join(dirname(p), basename(p).replace(/-proof\.json$/, '-proof.html'));
    if (existsSync(page)) copy(page, dst(page));
    return dst(p);
  });
  return { runs, proofs };
}

/** `label (start time UTC, host)`: what a run or proof was held to, in the command's output. */
function againstText(a: NonNullable<HeldToJudgement['runList'][number]['result']['against']>): string {
  const when = a.startedAt === null ? null : `${a.startedAt.slice(0, 16).replace('T', ' ')}Z`;
  const extra = [when, a.host].filter((x) => x !== null).join(', ');
  return extra === '' ? a.label : `${a.label} (${extra})`;
}

const uniq = (xs: ReadonlyArray<string | null>): string[] => [...new Set(xs.filter((x): x is string => x !== null))].sort();

export async function mergeRuns(options: MergeOptions): Promise<MergeResult> {
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const { shards, out, baseline } = resolveMergeInputs(options.inputs, options.out, options.baseline, maxDepth);
  const tmp = `${out}.merge-${process.pid}-${Date.now()}`;
  const outExisted = existsSync(out);
  let renamed = false;
  try {
    const copied = shards.map((s) => copyShard(s, tmp));
    if (outExisted) rmdirSync(out); // empty (checked): replaced by the merge
    renameSync(tmp, out);
    renamed = true;
    const inOut = (p: string) => join(out, relative(tmp, p));
    const runDirs = copied.flatMap((c) => c.runs.map(inOut));
    const proofFiles = copied.flatMap((c) => c.proofs.map(inOut));
    const judgement = judgeNights(runDirs, proofFiles, baseline, whereFrom(out));
    const index = await buildIndex(out, { maxDepth: maxDepth + 1, baseline: judgement });

    const byDir = new Map<string, NightRun>(judgement.runList.map((x) => [x.run.dir, x.run]));
    const merged: MergedShard[] = shards.map((s, i) => {
      const runs = copied[i]!.runs.map((d) => byDir.get(inOut(d))!);
      return { name: s.name, input: s.input, runs: s.runs.length, proofs: s.proofs.length, hosts: uniq(runs.map((r) => r.host)), nodeVersions: uniq(runs.map((r) => r.nodeVersion)) };
    });
    const regressions: MergeResult['regressions'] = [
      ...judgement.runList.flatMap(({ run, result }) => {
        const why = result.checks.filter((c) => c.regressed).map((c) => c.text);
        return why.length === 0 || result.against === null ? [] : [{ kind: 'run' as const, label: run.label, group: `${run.scenario} · ${run.variant}`, against: againstText(result.against), why }];
      }),
      ...judgement.proofList.flatMap(({ proof, result }) => {
        const why = result.checks.filter((c) => c.regressed).map((c) => c.text);
        return why.length === 0 || result.against === null ? [] : [{ kind: 'proof' as const, label: `proof ${proof.variant}`, group: proof.scenario, against: againstText(result.against), why }];
      }),
    ];
    const manifest = join(out, 'merge.json');
    const rel = whereFrom(out);
    writeFileSync(
      manifest,
      JSON.stringify(
        {
          kind: 'merge',
          recordVersion: 1,
          builtAt: new Date().toISOString(),
          builder: { nodeVersion: process.version },
          shards: merged,
          baseline: { rule: judgement.rule, folder: baseline?.folder ?? null },
          runs: judgement.runList.map(({ run, result }) => ({
            dir: rel(run.dir),
            runId: run.label,
            scenario: run.scenario,
            variant: run.variant,
            startedAt: run.startedAt,
            host: run.host,
            nodeVersion: run.nodeVersion,
            status: run.status,
            heldTo: result.against?.where ?? null,
            note: result.note,
            regressions: result.checks.filter((c) => c.regressed).map((c) => c.text),
          })),
          proofs: judgement.proofList.map(({ proof, result }) => ({ file: rel(proof.file), variant: proof.variant, status: proof.status, finishedAt: proof.finishedAt, heldTo: result.against?.where ?? null, regressions: result.checks.filter((c) => c.regressed).map((c) => c.text) })),
          index: rel(index.file),
        },
        null,
        2,
      ) + '\n',
    );
    return { out, index: index.file, manifest, shards: merged, runs: runDirs.length, proofs: proofFiles.length, regressions, judgement };
  } catch (err) {
    // Nothing half-written: what this call created goes (the inputs were only read).
    rmSync(renamed ? out : tmp, { recursive: true, force: true });
    if (renamed && outExisted) mkdirSync(out);
    throw err;
  }
}
