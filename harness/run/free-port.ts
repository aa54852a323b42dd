// A port the OS considers free on 127.0.0.1, for targets that need their port
// on the command line (--target-cmd '... --port {port}'). There is a window
// between closing this probe socket and the target binding; readiness then
// fails clearly rather than measuring the wrong process.

import { createServer } from 'node:net';

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
