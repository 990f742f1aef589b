import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * The id a worker writes on the tries it claims: `<hostname>:<pid>:<6 random characters>`, so run history says
 * which machine and process ran a try, and a restarted process with a reused pid is still a different worker.
 */
export function createWorkerId(): string {
  const random = randomBytes(6)
    .toString('base64url')
    .replace(/[^A-Za-z0-9]/g, '0')
    .slice(0, 6);
  return `${hostname()}:${process.pid}:${random}`;
}
