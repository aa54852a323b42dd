// What `merge` is given, checked before anything is written: the shard folders
// (each an artifact download tree holding run folders up to a few levels
// down), the folder to write, and the baseline. Every problem is a usage error
// naming the folder (exit 2): a folder that does not exist, one given twice or
// inside another, one with no run in it, an --out that is inside an input (the
// inputs are never modified) or holds one, an --out that already holds files.

import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, resolve, sep } from 'node:path';
import { usageError } from '../errors.ts';
import { folderProblem } from '../run/writable-folder.ts';
import { scanFolder } from '../../reports/index-page/index.ts';

export interface Shard {
  /** The folder as given, resolved (symlinks too). */
  input: string;
  /** Its folder name inside the merge: the input's own name, made unique. */
  name: string;
  /** Run folders and proof records found in it (absolute, sorted). */
  runs: string[];
  proofs: string[];
}

export interface MergeInputs {
  shards: Shard[];
  /** Absolute; does not exist or is an empty folder. */
  out: string;
  /** The baseline folder (a run folder or a folder of them: a previous merge or index), scanned; null when none. */
  baseline: { folder: string; runs: string[]; proofs: string[] } | null;
}

/** Names the merge writes at its top level (a shard must not take them). */
const RESERVED = new Set(['index.html', 'merge.json']);

const inside = (child: string, parent: string): boolean => child === parent || child.startsWith(parent.endsWith(sep) ? parent : parent + sep);

function realOrResolved(path: string): string {
  // The nearest existing ancestor's real path, the rest as given: --out need not exist yet.
  let p = resolve(path);
  const rest: string[] = [];
  while (!existsSync(p)) {
    const parent = dirname(p);
    if (parent === p) break;
    rest.unshift(basename(p));
    p = parent;
  }
  try {
    p = realpathSync(p);
  } catch {
    // unreadable: as resolved
  }
  return resolve(p, ...rest);
}

function folderOf(what: string, given: string): string {
  let st;
  try {
    st = statSync(given);
  } catch {
    throw usageError(`${what}${given}: no such folder`);
  }
  if (!st.isDirectory()) throw usageError(`${what}${given}: not a folder (expected a folder of run folders)`);
  return realpathSync(given);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** A shard's name: the folder's own, in safe characters, unique among the shards. */
function shardName(input: string, taken: Set<string>): string {
  const base = basename(input).replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '') || 'shard';
  let name = RESERVED.has(base) ? `${base}-shard` : base;
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
  taken.add(name);
  return name;
}

export function resolveMergeInputs(inputs: readonly string[], outArg: string, baselineArg: string | undefined, maxDepth: number): MergeInputs {
  if (inputs.length === 0) throw usageError('no shard folders given: name one or more folders of run folders (e.g. each CI job\'s downloaded artifacts)');
  if (outArg.trim() === '') throw usageError('--out: give the folder to write the merge to');
  const folders = inputs.map((i) => ({ given: i, real: folderOf('', i) }));
  for (const [i, a] of folders.entries()) {
    for (const b of folders.slice(i + 1)) {
      if (a.real === b.real) throw usageError(`${b.given}: given twice (as ${a.given})`);
      if (inside(a.real, b.real) || inside(b.real, a.real)) {
        const [child, parent] = inside(a.real, b.real) ? [a, b] : [b, a];
        throw usageError(`${child.given} is inside ${parent.given}: give each shard once (its runs would be merged twice)`);
      }
    }
  }
  const out = realOrResolved(outArg);
  for (const f of folders) {
    if (inside(out, f.real)) throw usageError(`--out ${outArg} is inside the input ${f.given}: merge never writes into its inputs; choose a folder outside them`);
    if (inside(f.real, out)) throw usageError(`--out ${outArg} holds the input ${f.given}: choose a new folder outside the inputs`);
  }
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) throw usageError(`--out ${outArg}: exists and is not a folder`);
    if (readdirSync(out).length > 0) throw usageError(`--out ${outArg}: exists and is not empty (merge writes a new folder; remove it or choose another)`);
  }
  const problem = folderProblem(dirname(out));
  if (problem !== null) throw usageError(`--out ${outArg}: cannot be written: ${problem}`);

  const taken = new Set<string>();
  const shards = folders.map(({ given, real }): Shard => {
    const scan = scanFolder(real, maxDepth);
    if (scan.runs.length === 0) {
      const proofs = scan.proofs.length > 0 ? ` (${plural(scan.proofs.length, 'proof record')} found, but no run folder)` : '';
      throw usageError(`${given}: no run folders (a folder holding run.json) found here or up to ${maxDepth} levels down${proofs}`);
    }
    return { input: real, name: shardName(real, taken), runs: scan.runs, proofs: scan.proofs };
  });

  let baseline: MergeInputs['baseline'] = null;
  if (baselineArg !== undefined) {
    // An index.html names its folder.
    const given = /\.html?$/i.test(baselineArg) && existsSync(baselineArg) && statSync(baselineArg).isFile() ? dirname(baselineArg) : baselineArg;
    const folder = folderOf('--baseline ', given);
    if (inside(folder, out)) throw usageError(`--baseline ${baselineArg}: is inside --out`);
    const scan = scanFolder(folder, maxDepth + 1); // a previous merge nests its runs one level deeper (the shard)
    if (scan.runs.length === 0 && scan.proofs.length === 0) throw usageError(`--baseline ${baselineArg}: no run folder or proof record found here or up to ${maxDepth + 1} levels down`);
    baseline = { folder, runs: scan.runs, proofs: scan.proofs };
  }
  return { shards, out, baseline };
}
