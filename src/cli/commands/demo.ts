import { z } from 'zod';
import { defineCommand, type CommandIo, type CommandSpec } from '../command.ts';
import type { Runtime } from '../../runtime/index.ts';
import { generateCommand } from './generate.ts';
import { ingestCommand } from './ingest.ts';
import { modelsPromoteCommand } from './models.ts';
import { recommendCommand } from './recommend.ts';
import { trainCommand } from './train.ts';

/** The user whose list the demo shows: present in every generated data set, with a history of reservations. */
export const DEMO_USER = 'U0000002';

/**
 * One step of the demo: the command a person would type, run through the same command objects (so the demo
 * shows exactly what those commands print), with a header naming it.
 */
async function step<R>(o: { runtime: Runtime; io: CommandIo; title: string; command: string }, spec: CommandSpec, raw: Record<string, unknown>): Promise<R> {
  if (!o.io.json) o.io.out(`\n== ${o.title}\n$ npx pickwise ${o.command}`);
  const result = (await spec.run(o.runtime, spec.options.parse(raw), o.io)) as R;
  if (!o.io.json) spec.print?.(result as never, o.io);
  return result;
}

export const demoCommand = defineCommand({
  name: 'demo',
  description: "The whole flow on sample data: generate landing files, ingest them, train ALS, make it the champion, show a user's recommendations",
  options: z.object({
    user: z.string().min(1).default(DEMO_USER).describe(`user whose recommendations to show (default ${DEMO_USER})`),
  }),
  async run(runtime, o, io) {
    // The steps print what they did; their info logs would only repeat it between the lines (--log-level debug shows them).
    if (runtime.logger.level === 'info') runtime.logger.level = 'warn';
    const ctx = { runtime, io };
    const store = await runtime.store();
    let landed = false;
    for await (const _ of store.list(runtime.config.ingest.landingPrefix)) {
      landed = true;
      break;
    }
    let generated: unknown;
    if (!landed) {
      generated = await step({ ...ctx, title: '1. Generate sample landing files (a Korean services marketplace)', command: 'generate' }, generateCommand, {});
    } else if (!io.json) io.out(`\n== 1. Sample data: ${runtime.config.ingest.landingPrefix} already holds files; nothing generated`);
    const ingested = await step({ ...ctx, title: '2. Ingest: back up, validate, quarantine, load, update features', command: 'ingest' }, ingestCommand, {});
    const trained = await step<{ registered?: { name: string; version: number } }>(
      { ...ctx, title: '3. Train implicit ALS, scored on a hold-out beside popularity', command: 'train --algo als' },
      trainCommand,
      { algo: 'als' },
    );
    const version = trained.registered?.version;
    if (version === undefined) throw new Error('the trained model was not registered');
    const promoted = await step(
      { ...ctx, title: '4. Make it the champion (the version the API serves)', command: `models promote als ${version} --alias champion` },
      modelsPromoteCommand,
      { name: 'als', version, alias: 'champion', reason: 'pickwise demo' },
    );
    const recommended = await step(
      { ...ctx, title: `5. Recommendations for ${o.user}`, command: `recommend --user ${o.user} --model als@champion` },
      recommendCommand,
      { user: o.user, model: 'als@champion' },
    );
    if (!io.json) {
      io.out('\nNext: serve them over HTTP, and ask for a list:');
      io.out('  npx pickwise serve --model-name als --alias champion');
      io.out(`  curl 'http://127.0.0.1:8080/v1/users/${o.user}/recommendations?k=5'`);
    }
    return { generated, ingested, trained, promoted, recommended };
  },
});
