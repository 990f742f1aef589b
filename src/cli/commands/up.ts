import { openOrchestration } from '../../orchestration/index.ts';
import { defineCommand, stopSignal } from '../command.ts';
import { serveOptions, startApi } from './serve.ts';

/** Seconds running tries get to finish when `up` is asked to stop. */
const STOP_GRACE_MS = 30_000;

export const upCommand = defineCommand({
  name: 'up',
  description: 'Everything a small team runs on one box, in one process: the API and its dashboard, and the scheduler with its tries',
  options: serveOptions,
  async run(runtime, o): Promise<{ url: string; dags: string[]; stoppedBy: string }> {
    const orchestration = await openOrchestration({ deps: runtime });
    const server = await startApi(runtime, o).catch(async (error: unknown) => {
      await orchestration.close();
      throw error;
    });
    const { tickSeconds } = runtime.config.orchestration;
    orchestration.scheduler.start({ tickSeconds });
    const dags = orchestration.dags.map((d) => d.id);
    process.stderr.write(
      `pickwise up: API on ${server.url} (model ${server.holder.current?.prefix}), dashboard ${server.url}/dashboard; scheduler ticking every ${tickSeconds} s over ${dags.join(', ')}\n`,
    );
    const stoppedBy = await stopSignal();
    await orchestration.close(STOP_GRACE_MS);
    await server.close();
    return { url: server.url, dags, stoppedBy };
  },
  print(r, io) {
    io.out(`stopped ${r.url} and the scheduler (${r.stoppedBy})`);
  },
});
