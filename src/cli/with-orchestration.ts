import { openOrchestration, type Orchestration } from '../orchestration/index.ts';
import type { Runtime } from '../runtime/index.ts';

/** Runs `work` with the orchestration the configuration describes, closed afterwards (its executor included). */
export async function withOrchestration<T>(runtime: Runtime, work: (orchestration: Orchestration) => Promise<T>): Promise<T> {
  const orchestration = await openOrchestration({ deps: runtime });
  try {
    return await work(orchestration);
  } finally {
    await orchestration.close();
  }
}
