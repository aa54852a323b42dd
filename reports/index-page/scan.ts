// Finding what an index lists: run folders (a directory holding run.json) and
// proof records (`<variant>-proof.json`, written by `prove` next to its two run
// folders), under one folder, to a bounded depth. A run folder is a leaf: runs
// do not nest, so its contents are not searched. Symlinked directories are not
// followed (no loops), nor are dot-directories and node_modules.

import { readdirSync, statSync, type Dirent } from 'node:fs';
import { join, resolve } from 'node:path';
import { ReportError } from '../errors.ts';

/** How deep the scan goes by default: <folder>/<prove-base>/<run> is depth 2. */
export const DEFAULT_MAX_DEPTH = 3;

export interface ScanResult {
  /** Absolute paths of run folders, sorted. */
  runs: string[];
  /** Absolute paths of `*-proof.json` files, sorted. */
  proofs: string[];
}

const SKIPPED = new Set(['node_modules']);
const PROOF_FILE = /-proof\.json$/;

function entries(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch {
    return []; // unreadable (permissions, removed meanwhile): nothing listed from it
  }
}

export function scanFolder(folderArg: string, maxDepth = DEFAULT_MAX_DEPTH): ScanResult {
  const folder = resolve(folderArg);
  let isDir: boolean;
  try {
    isDir = statSync(folder).isDirectory();
  } catch {
    throw new ReportError(folder, null, 'no such folder');
  }
  if (!isDir) throw new ReportError(folder, null, 'not a folder (expected a folder of run folders)');
  const runs: string[] = [];
  const proofs: string[] = [];
  const visit = (dir: string, depth: number): void => {
    const list = entries(dir);
    if (list.some((e) => e.name === 'run.json' && e.isFile())) {
      runs.push(dir);
      return;
    }
    for (const e of list) {
      if (e.isFile() && PROOF_FILE.test(e.name)) proofs.push(join(dir, e.name));
    }
    if (depth >= maxDepth) return;
    for (const e of list) {
      if (e.isDirectory() && !e.name.startsWith('.') && !SKIPPED.has(e.name)) visit(join(dir, e.name), depth + 1);
    }
  };
  visit(folder, 0);
  return { runs: runs.sort(), proofs: proofs.sort() };
}
