import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the receiver does with one request: answer with a status (and headers, body), or never answer. */
export type WebhookAnswer = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

/**
 * A Slack incoming-webhook stand-in on 127.0.0.1: answers requests from a script (the last answer repeats), and
 * records every request body. Slack's real endpoint answers 200 `ok`; errors come as 4xx/5xx with a short text body.
 */
export interface WebhookReceiver {
  /** `http://127.0.0.1:PORT/services/T000/B000/<secret>`. */
  readonly url: string;
  readonly secret: string;
  readonly requests: { path: string; body: unknown }[];
  close(): Promise<void>;
}

export async function startWebhookReceiver(script: readonly WebhookAnswer[]): Promise<WebhookReceiver> {
  const requests: { path: string; body: unknown }[] = [];
  const hanging: ServerResponse[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      requests.push({ path: req.url ?? '', body: text ? (JSON.parse(text) as unknown) : null });
      const answer = script[Math.min(requests.length - 1, script.length - 1)] ?? { status: 200 };
      if (answer === 'hang') {
        hanging.push(res);
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
      res.end(answer.body ?? (answer.status === 200 ? 'ok' : 'error'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const secret = 'xoxsecretpathtoken';
  return {
    url: `http://127.0.0.1:${port}/services/T000/B000/${secret}`,
    secret,
    requests,
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback URL on which nothing listens (a port just released): connections are refused. */
export async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/services/T000/B000/xoxsecretpathtoken`;
}
