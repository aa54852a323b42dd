// Can a folder named on the command line (`--out`) be created and written?
// Asked before anything starts, so a folder that cannot be made is a usage
// error (exit 2) naming the flag, not a run that fails halfway, or one that
// never returns: Node's recursive mkdirSync loops forever on /proc (ENOENT on
// the child, then EEXIST on the parent, and again), immune to signals since
// it never yields. So nothing here creates anything: it walks up to the
// nearest ancestor that exists and asks that one.

import { accessSync, constants, statfsSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { usageError } from '../errors.ts';

/**
 * Kernel pseudo-filesystems (statfs f_type, linux/magic.h): they hold no
 * files a run could write, and /proc is where mkdir loops. Checked by type,
 * not by path prefix, so a bind mount of /proc elsewhere is refused too.
 */
const PSEUDO_FS: ReadonlyMap<number, string> = new Map([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0x1cd1, 'devpts'],
  [0x62656570, 'configfs'],
  [0xcafe4a11, 'bpf'],
  [0x6165676c, 'pstore'],
]);

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    // ENOTDIR: a component of the path is a file; the walk up finds it.
    if (code === 'ENOTDIR') return null;
    throw err;
  }
}

/**
 * The problem with creating (or writing into) `dir`, in words, or null when it
 * can be made. `dir` may exist (then it must be a writable folder) or not
 * (then its nearest existing ancestor must be a writable folder on a real
 * filesystem).
 */
export function folderProblem(dir: string): string | null {
  const target = resolve(dir);
  let path = target;
  let stat = statOrNull(path);
  while (stat === null) {
    const parent = dirname(path);
    if (parent === path) return 'no existing ancestor folder';
    path = parent;
    stat = statOrNull(path);
  }
  if (!stat.isDirectory()) {
    return path === target ? `${path} exists and is not a folder` : `${path} is not a folder: nothing can be created under it`;
  }
  let fsType: number;
  try {
    fsType = Number(statfsSync(path).type);
  } catch {
    fsType = 0;
  }
  const pseudo = PSEUDO_FS.get(fsType);
  if (pseudo !== undefined) return `${path} is on the kernel's ${pseudo} filesystem: a run folder cannot live there`;
  try {
    accessSync(path, constants.W_OK | constants.X_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'EROFS' ? `${path} is on a read-only filesystem` : `${path} is not writable (${code ?? 'access denied'})`;
  }
  return null;
}

/** A usage error (exit 2) naming `flag` when `dir` cannot be made: called before anything starts. */
export function checkWritableFolder(flag: string, dir: string): void {
  const problem = folderProblem(dir);
  if (problem !== null) throw usageError(`${flag}: cannot create ${resolve(dir)}: ${problem}`);
}
