import { stageLogger } from '../../shared/io.ts';
import { z } from 'zod';
import { actorName, promoteVersion, type PromoteResult } from '../../pipeline/index.ts';
import { ModelRegistry, type RegisteredVersion, type RegistryEvent } from '../../registry/index.ts';
import { NotFoundError } from '../../shared/index.ts';
import { defineCommand, type CommandIo } from '../command.ts';
import { feedbackWeights } from './model-options.ts';

const name = z.string().min(1).describe('registered model name (by default the model kind: als, bpr, item-knn, popular)');
const version = z.coerce.number().int().positive().describe('version number');
const alias = z.string().min(1).default('champion').describe('alias to move (champion, challenger, or any name)');
const reason = z.string().min(1).max(1000).optional().describe('why (kept in the registry history)');

export const modelsListCommand = defineCommand({
  name: 'models list',
  description: 'Registered models with their versions and aliases',
  options: z.object({}),
  async run(runtime): Promise<{ models: { name: string; versions: RegisteredVersion[] }[] }> {
    const registry = new ModelRegistry(await runtime.warehouse());
    const models = [];
    for (const n of await registry.names()) models.push({ name: n, versions: await registry.versions(n) });
    return { models };
  },
  print(r, io) {
    if (r.models.length === 0) io.out('No registered models yet: pickwise train or pickwise tune registers one.');
    for (const m of r.models) {
      const latest = m.versions.at(-1);
      const aliases = m.versions.flatMap((v) => v.aliases.map((a) => `${a} → v${v.version}`));
      io.out(`${m.name}: ${m.versions.length} version(s), latest v${latest?.version ?? '—'}${aliases.length ? `; ${aliases.join(', ')}` : ''}`);
    }
  },
});

export const modelsShowCommand = defineCommand({
  name: 'models show',
  description: "A registered model's versions (run, status, aliases) and the history of changes",
  options: z.object({ name }),
  args: ['name'],
  async run(runtime, o): Promise<{ name: string; versions: RegisteredVersion[]; history: RegistryEvent[] }> {
    const registry = new ModelRegistry(await runtime.warehouse());
    const versions = await registry.versions(o.name);
    if (versions.length === 0) throw new NotFoundError(`no registered model '${o.name}'`);
    return { name: o.name, versions, history: await registry.events(o.name) };
  },
  print(r, io: CommandIo) {
    io.out(`${r.name}:`);
    for (const v of r.versions)
      io.out(`  v${v.version}  ${v.status.padEnd(8)} run ${v.runId}  ${v.createdAt}${v.aliases.length ? `  [${v.aliases.join(', ')}]` : ''}`);
    io.out('history:');
    for (const e of r.history) {
      const what = e.alias ? `${e.alias} → v${e.version}${e.previousVersion !== null ? ` (was v${e.previousVersion})` : ''}` : `v${e.version}`;
      io.out(`  ${e.at}  ${e.action.padEnd(8)} ${what}  by ${e.actor}: ${e.reason}`);
    }
  },
});

export const modelsPromoteCommand = defineCommand({
  name: 'models promote',
  description:
    'Point an alias at a version, after checking its artifacts and (when the alias holds another version) that its NDCG@10 on the current hold-out is not lower',
  options: z.object({ name, version, alias, force: z.boolean().optional().describe('promote even when the gate refuses'), reason }),
  args: ['name', 'version'],
  async run(runtime, o): Promise<PromoteResult> {
    return promoteVersion({
      warehouse: await runtime.warehouse(),
      store: await runtime.store(),
      logger: stageLogger(runtime.logger, 'promote'),
      name: o.name,
      version: o.version,
      alias: o.alias,
      force: o.force === true,
      actor: actorName(),
      ...(o.reason ? { reason: o.reason } : {}),
      ...(feedbackWeights(runtime.config, {}) ? { feedback: feedbackWeights(runtime.config, {}) } : {}),
    });
  },
  print(r, io) {
    const gate = r.gate ? ` — hold-out NDCG@10 ${r.gate.candidate.toFixed(4)} against ${r.gate.incumbent.toFixed(4)}${r.gate.forced ? ' (forced)' : ''}` : '';
    io.out(`${r.name} '${r.alias}' → v${r.version}${r.previous !== undefined ? ` (was v${r.previous})` : ''}${gate}`);
  },
});

export const modelsRollbackCommand = defineCommand({
  name: 'models rollback',
  description: 'Move an alias back to the version it pointed to before its latest move',
  options: z.object({ name, alias, reason }),
  args: ['name'],
  async run(runtime, o): Promise<{ name: string; alias: string; from: number; to: number }> {
    const moved = await new ModelRegistry(await runtime.warehouse()).rollback(o.name, o.alias, actorName(), o.reason ?? 'rolled back');
    return { name: o.name, alias: o.alias, ...moved };
  },
  print(r, io) {
    io.out(`${r.name} '${r.alias}' → v${r.to} (was v${r.from})`);
  },
});

export const modelsArchiveCommand = defineCommand({
  name: 'models archive',
  description: 'Archive a version (it keeps its records but can no longer be promoted)',
  options: z.object({ name, version, reason }),
  args: ['name', 'version'],
  async run(runtime, o): Promise<{ name: string; version: number }> {
    await new ModelRegistry(await runtime.warehouse()).archive(o.name, o.version, actorName(), o.reason ?? 'archived');
    return { name: o.name, version: o.version };
  },
  print(r, io) {
    io.out(`${r.name} v${r.version} archived`);
  },
});
