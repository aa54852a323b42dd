// Writing the CI outputs of a command: the JUnit file (`--junit FILE`), and
// the job summary when GitHub Actions asks for one ($GITHUB_STEP_SUMMARY).
// A file that cannot be written is said on stderr; it never changes the
// command's exit code, which stays the documented verdict.

import { appendFileSync, existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { usageError } from '../errors.ts';
import { folderProblem } from '../run/writable-folder.ts';
import { redactText } from '../../shared/redact.ts';
import { junitXml, type JunitSuite } from './junit.ts';
import { stepSummary } from './step-summary.ts';

export interface CiOutputOptions {
  junitFile?: string;
  /** Where $GITHUB_STEP_SUMMARY comes from (tests pass their own). */
  env?: NodeJS.ProcessEnv;
  /** Values never to write (the run's keys). */
  secrets?: readonly string[];
  stderr: NodeJS.WritableStream;
  name: string;
}

export function writeCiOutputs(suites: readonly JunitSuite[], o: CiOutputOptions): { junit: string | null; summary: string | null } {
  const env = o.env ?? process.env;
  const secrets = o.secrets ?? [];
  let junit: string | null = null;
  let summary: string | null = null;
  if (o.junitFile) {
    try {
      mkdirSync(dirname(resolve(o.junitFile)), { recursive: true });
      const tmp = `${o.junitFile}.tmp-${process.pid}`;
      writeFileSync(tmp, redactText(junitXml(suites), secrets));
      renameSync(tmp, o.junitFile);
      junit = o.junitFile;
    } catch (err) {
      o.stderr.write(`${o.name}: --junit: cannot write ${o.junitFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
    }
  }
  const file = env.GITHUB_STEP_SUMMARY;
  if (file) {
    try {
      appendFileSync(file, redactText(stepSummary(suites), secrets));
      summary = file;
    } catch (err) {
      o.stderr.write(`${o.name}: cannot append the job summary to $GITHUB_STEP_SUMMARY (${file}): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
    }
  }
  return { junit, summary };
}

/** `--junit FILE` on soak, prove and compare. */
export const JUNIT_FLAG = {
  type: 'string',
  nonEmpty: true,
  arg: 'file',
  help: 'also write the verdict as JUnit XML (and append a job summary to $GITHUB_STEP_SUMMARY when it is set)',
} as const;

/** Refuses (exit 2, before anything starts) a --junit path whose folder cannot take the file, or that is a folder. */
export function checkJunitFile(file: string | undefined): void {
  if (file === undefined) return;
  const path = resolve(file);
  if (existsSync(path) && statSync(path).isDirectory()) throw usageError(`--junit: ${file} is a folder; give a file name, e.g. ${join(file, 'junit.xml')}`);
  const problem = folderProblem(dirname(path));
  if (problem !== null) throw usageError(`--junit: cannot write ${file}: ${problem}`);
}
