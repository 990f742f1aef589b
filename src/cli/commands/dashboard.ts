import { stageLogger } from '../../shared/io.ts';
import { z } from 'zod';
import { startDashboardServer } from '../../serve/index.ts';
import { defineCommand, stopSignal } from '../command.ts';

export const dashboardCommand = defineCommand({
  name: 'dashboard',
  description: 'Serve the dashboard page and its data over the warehouse, without the recommendation API (stops on SIGTERM or SIGINT)',
  options: z.object({
    host: z.string().min(1).optional().describe('address to listen on (default serve.host, 127.0.0.1)'),
    port: z.coerce.number().int().min(0).max(65_535).optional().describe('port (default serve.port, 8080; 0: any free port)'),
  }),
  async run(runtime, o): Promise<{ url: string; stoppedBy: string }> {
    const config = { ...runtime.config.serve, ...(o.host !== undefined ? { host: o.host } : {}), ...(o.port !== undefined ? { port: o.port } : {}) };
    const server = await startDashboardServer({
      warehouse: await runtime.warehouse(),
      config,
      refreshSeconds: runtime.config.monitoring.dashboardRefreshSeconds,
      logger: stageLogger(runtime.logger, 'dashboard'),
    });
    process.stderr.write(`pickwise dashboard on ${server.url}/dashboard (API latency needs pickwise serve, which serves /dashboard too)\n`);
    const stoppedBy = await stopSignal();
    await server.close();
    return { url: server.url, stoppedBy };
  },
  print(r, io) {
    io.out(`stopped serving the dashboard at ${r.url} (${r.stoppedBy})`);
  },
});
