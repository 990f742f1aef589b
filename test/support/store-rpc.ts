/**
 * Shares one in-memory run history store between the test process and worker child processes: the test serves
 * the store over loopback HTTP, a child uses a client with the same OrchestrationStore interface. Dates travel
 * as ISO text and come back as Dates.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OrchestrationStore } from '../../src/orchestration/ports.ts';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const revive = (_key: string, value: unknown): unknown => (typeof value === 'string' && ISO.test(value) ? new Date(value) : value);

export async function serveStore(store: OrchestrationStore): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const method = (req.url ?? '').slice(1) as keyof OrchestrationStore;
      const args = JSON.parse(body, revive) as unknown[];
      const fn = store[method] as ((...a: unknown[]) => Promise<unknown>) | undefined;
      if (typeof fn !== 'function') {
        res.writeHead(404).end();
        return;
      }
      fn.apply(store, args).then(
        (result) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ result: result ?? null })),
        (error: Error) => res.writeHead(500).end(JSON.stringify({ error: error.message })),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

export function storeClient(url: string): OrchestrationStore {
  return new Proxy({} as OrchestrationStore, {
    get(_target, method: string) {
      return async (...args: unknown[]) => {
        const res = await fetch(`${url}/${method}`, { method: 'POST', body: JSON.stringify(args) });
        const text = await res.text();
        if (!res.ok) throw new Error(`store ${method} failed: ${text}`);
        const { result } = JSON.parse(text, revive) as { result: unknown };
        return result === null ? undefined : result;
      };
    },
  });
}
