// bench:calibrate: the harness's own accuracy, measured on leaks of KNOWN size.
// A thin wrapper over the `calibrate` command (harness/cli/calibrate-command.ts,
// harness/calibrate/run.ts): `npm run bench:calibrate -- …` is
// `npm run soak -- calibrate …`, with its lines prefixed `bench:calibrate`.
//
//   npm run bench:calibrate               full: 10-minute runs, 4…4096 B/request ×3, fds ×2, 20 controls (≈ 9.3 h, in chunks)
//   npm run bench:calibrate -- --quick    ≈ 30 min on 2 cores: 90 s runs, 16/64/256/1024 B ×2, 4 controls, 1 fd run
//   npm run bench:calibrate -- --help     every flag, its default and range

import { runCommand, runMain } from '../harness/cli/command.ts';
import { makeCalibrateCommand } from '../harness/cli/calibrate-command.ts';

const command = makeCalibrateCommand('bench:calibrate', 'npm run bench:calibrate -- [--quick] [--sizes 64,256] [--reps N] [--controls N] [--handle-every K] [--duration 10m] [--rate N] [--seed N] [--out DIR] [--budget 80m] | --resume DIR [--budget 80m] | --summary DIR [--markdown]', 'npm run bench:calibrate --');

if (import.meta.main) runMain(() => runCommand(command, process.argv.slice(2)), 'bench:calibrate');
