// One autocannon run that a bench's signal stops: runCommand aborts the signal
// on SIGINT/SIGTERM, the run is stopped at once, and the interrupt is thrown
// (exit 130/143) instead of a partial result being printed as figures.

import autocannon from 'autocannon';
import { throwIfInterrupted } from '../harness/cli/command.ts';

export async function abortableLoad(options: autocannon.Options, signal: AbortSignal): Promise<autocannon.Result> {
  throwIfInterrupted(signal);
  let instance: autocannon.Instance | undefined;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(options, (err, result) => (err ? reject(err) : resolve(result)));
  });
  const stop = () => instance!.stop();
  signal.addEventListener('abort', stop, { once: true });
  try {
    const result = await done;
    throwIfInterrupted(signal);
    return result;
  } finally {
    signal.removeEventListener('abort', stop);
  }
}
