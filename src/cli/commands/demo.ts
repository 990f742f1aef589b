import { z } from 'zod';
import { defineCommand, type CommandIo, type CommandSpec } from '../command.ts';
import type { Runtime } from '../../runtime/index.ts';
import { generateCommand } from './generate.ts';
import { ingestCommand } from './ingest.ts';
import { modelsPromoteCommand } from './models.ts';
import { recommendCommand } from './recommend.ts';
import { startApi } from './serve.ts';
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
    const served = await servedList(runtime, io, o.user);
    if (!io.json) {
      io.out('\nNext: keep the API (and the scheduler) running, and ask it yourself:');
      io.out('  npx pickwise up');
      io.out(`  curl 'http://127.0.0.1:8080/v1/users/${o.user}/recommendations?k=5'`);
    }
    return { generated, ingested, trained, promoted, recommended, served };
  },
});

/** What the API answered for the demo's user. */
interface ServedList {
  url: string;
  recommendation_id: string;
  basis: string;
  model: { kind: string; version: string; name: string | null; registry_version: number | null };
  items: { rank: number; service_id: string; name: string | null; category: string | null; score: number }[];
}

/**
 * Step 6: the champion served over HTTP, as a client sees it. The API starts on a free loopback port (whatever
 * `serve.port` says, so a running `pickwise serve` is no obstacle), answers one request and stops.
 */
async function servedList(runtime: Runtime, io: CommandIo, user: string): Promise<ServedList> {
  const server = await startApi(runtime, { host: '127.0.0.1', port: 0, modelName: 'als', alias: 'champion' }, { alerts: false });
  try {
    const url = `${server.url}/v1/users/${encodeURIComponent(user)}/recommendations?k=5`;
    if (!io.json) io.out(`\n== 6. The same champion served over HTTP (the API started on a free port for this one request)\n$ curl '${url}'`);
    const key = runtime.config.serve.apiKeys[0];
    const response = await fetch(url, { headers: key !== undefined ? { 'x-api-key': key } : {} });
    const body = (await response.json()) as Omit<ServedList, 'url'> & { detail?: string };
    if (!response.ok) throw new Error(`the API answered ${response.status} for ${url}: ${body.detail ?? JSON.stringify(body)}`);
    if (!io.json) {
      io.out(`${body.model.name}@champion (registry version ${body.model.registry_version}) for ${user}, list ${body.recommendation_id}, basis ${body.basis}:`);
      for (const x of body.items) io.out(`  ${String(x.rank).padStart(3)}. ${x.service_id}  ${x.name ?? ''} (${x.category ?? ''})  ${x.score.toFixed(4)}`);
    }
    return { url, ...body };
  } finally {
    await server.close();
  }
}
