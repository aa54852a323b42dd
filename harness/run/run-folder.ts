// The run folder, written as the run goes: every record is appended with a
// synchronous write as soon as it is taken, so a harness killed with SIGKILL at
// any moment leaves every sample so far on disk (in the page cache, which
// survives the process) and readable line by line. A torn last line is the
// only possible damage; readers skip it (see read-run.ts).

import { closeSync, mkdirSync, openSync, renameSync, writeFileSync, writeSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SoakError } from '../errors.ts';
import type { Checkpoint, ContinuousSample, RunEvent } from '../records.ts';
import { redactDeep } from '../../shared/redact.ts';
import { folderProblem } from './writable-folder.ts';

export const RUN_FILES = {
  meta: 'run.json',
  samples: 'samples.ndjson',
  checkpoints: 'checkpoints.ndjson',
  events: 'events.ndjson',
  summary: 'summary.json',
  /** What the attribution tail found after the judged run (harness/attribute/record.ts); never judged. */
  attribution: 'attribution.json',
} as const;

/** The attribution tail's heap snapshots, while they are diffed (kept only with --keep-snapshots: they hold the target's memory, keys included). */
export const ATTRIBUTION_DIR = 'attribution';

/** A Go target's raw net/http/pprof answers (heap-<seq>.pb.gz, goroutine-<seq>.txt: harness/sampler/pprof.ts). */
export const PPROF_DIR = 'pprof';

export interface RunFolder {
  readonly dir: string;
  sample(record: ContinuousSample): void;
  checkpoint(record: Checkpoint): void;
  event(record: RunEvent): void;
  /** Replace a JSON document atomically (write + rename). */
  writeJson(name: string, value: unknown): void;
  close(): void;
}

export interface RunFolderOptions {
  /**
   * The run's secret values (keys it generated or was given), asked for at
   * each write: they are known only once the targets start. Events, run.json
   * and summary.json are redacted with them and the key patterns of
   * shared/redact.ts; samples and checkpoints hold figures, written as they are.
   */
  secrets?: () => readonly string[];
}

export function createRunFolder(dir: string, options: RunFolderOptions = {}): RunFolder {
  const clean = <T>(value: T): T => redactDeep(value, options.secrets?.() ?? []);
  // Never mkdir on a path that cannot be made: recursive mkdirSync loops forever on /proc.
  const problem = folderProblem(dir);
  if (problem !== null) throw new SoakError('SOAK_ERR_RUN_FOLDER', `--out: cannot create ${dir}: ${problem}`);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new SoakError('SOAK_ERR_RUN_FOLDER', `--out: cannot create ${dir}: ${(err as Error).message}`, { cause: err });
  }
  if (existsSync(join(dir, RUN_FILES.samples)) || existsSync(join(dir, RUN_FILES.meta))) {
    throw new SoakError('SOAK_ERR_RUN_FOLDER', `--out: ${dir} already holds a run; choose another folder`);
  }
  const fds = {
    samples: openSync(join(dir, RUN_FILES.samples), 'a'),
    checkpoints: openSync(join(dir, RUN_FILES.checkpoints), 'a'),
    events: openSync(join(dir, RUN_FILES.events), 'a'),
  };
  let closed = false;
  const append = (fd: number, record: unknown): void => {
    if (closed) return;
    writeSync(fd, JSON.stringify(record) + '\n');
  };
  return {
    dir,
    sample: (r) => append(fds.samples, r),
    checkpoint: (r) => append(fds.checkpoints, r),
    event: (r) => append(fds.events, clean(r)),
    writeJson(name, value) {
      const path = join(dir, name);
      writeFileSync(path + '.tmp', JSON.stringify(clean(value), null, 2) + '\n');
      renameSync(path + '.tmp', path);
    },
    close() {
      if (closed) return;
      closed = true;
      for (const fd of Object.values(fds)) closeSync(fd);
    },
  };
}

/** A fresh, sortable run id: 20261124-053501-mixed. */
export function newRunId(scenario: string, now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  return `${stamp}-${scenario}`;
}

/** A run folder path under `root` that does not exist yet. */
export function uniqueRunDir(root: string, runId: string): string {
  const taken = existsSync(root) ? new Set(readdirSync(root)) : new Set<string>();
  if (!taken.has(runId)) return join(root, runId);
  for (let i = 2; ; i++) if (!taken.has(`${runId}-${i}`)) return join(root, `${runId}-${i}`);
}
