// `npm run soak -- report <runDir> [--open]`: the run's HTML report, built from
// what is on disk (a partial run too), written as <runDir>/report.html.

import { spawn, spawnSync } from 'node:child_process';
import { buildReport } from '../index.ts';
import { HELP_FLAG, type FlagSpecs } from '../../shared/cli/flags.ts';
import type { Command } from './command.ts';

export const REPORT_FLAGS = {
  out: { type: 'string', nonEmpty: true, arg: 'file', help: 'where to write the report (default <runDir>/report.html)' },
  open: { type: 'boolean', help: 'open the report in the desktop browser when one is available (xdg-open)' },
  help: HELP_FLAG,
} as const satisfies FlagSpecs;

/** Best effort: a desktop opener if there is one; the path is printed either way. */
function openInBrowser(file: string): boolean {
  if (spawnSync('sh', ['-c', 'command -v xdg-open'], { stdio: 'ignore' }).status !== 0) return false;
  const child = spawn('xdg-open', [file], { stdio: 'ignore', detached: true });
  child.on('error', () => {});
  child.unref();
  return true;
}

export const reportCommand: Command<typeof REPORT_FLAGS> = {
  name: 'soak report',
  usage: 'npm run soak -- report <runDir> [--out FILE] [--open]',
  about: [
    'Builds the self-contained HTML report of a run folder (verdict, run facts, charts on one time axis)',
    'from what is on disk: an interrupted, crashed or killed run gets a report too, marked partial.',
    'Every `npm run soak` writes one at the end; this rebuilds it.',
  ],
  flags: REPORT_FLAGS,
  positionals: { min: 1, max: 1, names: 'a run folder' },
  exitCodes: ['0 report written, 2 not a run folder or an unreadable record (the file and line are named; nothing written).'],
  async run({ values, positionals, io }) {
    const r = await buildReport(positionals[0]!, values.out !== undefined ? { out: values.out } : {});
    io.stdout.write(`report: ${r.file} (${(r.bytes / 1024).toFixed(0)} KiB${r.partial ? `; partial: ${r.reason}` : ''})\n`);
    if (values.open && !openInBrowser(r.file)) io.stderr.write('soak report: no desktop browser to open it; open the file above\n');
    return 0;
  },
};
