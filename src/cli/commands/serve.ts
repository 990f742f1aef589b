import { stageLogger } from '../../shared/io.ts';
import { z } from 'zod';
import type { Runtime } from '../../runtime/index.ts';
import { startServer, type RunningServer } from '../../serve/index.ts';
import { defineCommand, stopSignal } from '../command.ts';

/** The flags of `serve` (and `up`) that override `serve.*` settings. */
export const serveOptions = z.object({
  host: z.string().min(1).optional().describe('address to listen on (default 127.0.0.1)'),
  port: z.coerce.number().int().min(0).max(65_535).optional().describe('port (default 8080; 0: any free port)'),
  modelName: z.string().min(1).optional().describe("serve this registered model's alias (default: the newest trained model)"),
  alias: z.string().min(1).optional().describe('alias to serve (default champion)'),
  pollSeconds: z.coerce.number().positive().optional().describe('how often to check for a moved alias or newer model (default 30)'),
});

/**
 * Starts the API with the configuration's `serve` settings, the flags given over them. `alerts: false` leaves
 * the alert rules to other processes (a one-request server, as in the demo, would only fire them once and stop).
 */
export async function startApi(runtime: Runtime, o: z.output<typeof serveOptions>, extras: { alerts?: boolean } = {}): Promise<RunningServer> {
  const c = runtime.config.serve;
  const config = {
    ...c,
    ...(o.host !== undefined ? { host: o.host } : {}),
    ...(o.port !== undefined ? { port: o.port } : {}),
    ...(o.modelName !== undefined ? { modelName: o.modelName } : {}),
    ...(o.alias !== undefined ? { alias: o.alias } : {}),
    ...(o.pollSeconds !== undefined ? { pollSeconds: o.pollSeconds } : {}),
  };
  return startServer({
    warehouse: await runtime.warehouse(),
    store: await runtime.store(),
    config,
    logger: stageLogger(runtime.logger, 'serve'),
    feedback: { config: runtime.config.feedback, home: runtime.config.home, connection: runtime.config.database },
    ...(extras.alerts === false ? {} : { alerts: { config: runtime.config.alerts, home: runtime.config.home } }),
    monitoring: runtime.config.monitoring,
  });
}

export const serveCommand = defineCommand({
  name: 'serve',
  description: 'Start the real-time recommendation API (stops cleanly on SIGTERM or SIGINT)',
  options: serveOptions,
  async run(runtime, o): Promise<{ url: string; stoppedBy: string }> {
    const server = await startApi(runtime, o);
    process.stderr.write(`pickwise serving on ${server.url} (model ${server.holder.current?.prefix})\n`);
    const stoppedBy = await stopSignal();
    await server.close();
    return { url: server.url, stoppedBy };
  },
  print(r, io) {
    io.out(`stopped serving ${r.url} (${r.stoppedBy}); in-flight requests finished`);
  },
});
