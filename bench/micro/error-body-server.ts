// The loopback upstream of the error-body micro-benchmark, run in a worker
// thread so its own allocations never land in the measured heap (a worker is
// a separate V8 isolate): every request gets a 429 with a large JSON error
// body (256 KiB, the fake upstream's 429-large), keep-alive on. Posts its
// port when listening; closes every connection and exits on 'close'.

import { createServer } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

const size = (workerData as { bodyBytes: number }).bodyBytes;
const message = '{"error":{"type":"rate_limit_error","code":"rate_limited","message":"';
const body = Buffer.alloc(size, 'x');
body.write(message, 0);
body.write('"}}', size - 3);

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(429, { 'content-type': 'application/json', 'content-length': body.length, 'retry-after': '1' });
    res.end(body);
  });
});
// Clients in the bench hang up on purpose (destroy, pinned sockets closed at the end).
server.on('clientError', (_err, socket) => socket.destroy());
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  parentPort!.postMessage(typeof address === 'object' && address !== null ? address.port : 0);
});
parentPort!.on('message', (m: unknown) => {
  if (m !== 'close') return;
  server.closeAllConnections();
  server.close(() => parentPort!.close());
});
