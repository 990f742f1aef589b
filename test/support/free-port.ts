import { createServer } from 'node:net';

/**
 * A loopback port that nothing listens on right now: bind port 0, note the port, release it. Racy by nature
 * (another process may take it), so callers that start servers on it retry.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not determine a free port'))));
    });
  });
}
