import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promoteVersion, runTrainJob } from '../../src/pipeline/index.ts';
import { ModelRegistry, RunTracker } from '../../src/registry/index.ts';
import { ConflictError } from '../../src/shared/errors.ts';
import { silentLogger } from '../../src/shared/logger.ts';
import { warehouseBackends } from '../support/backends.ts';
import { createIngestFixture, type IngestFixture } from '../support/ingest-fixture.ts';

/** Tracking and the registry on both databases: runs, versions, aliases, the promotion gate, artifact checks. */
describe.each(warehouseBackends())('runs and model registry on $name', (backend) => {
  describe.skipIf(!backend.available)('registry', () => {
    let fx: IngestFixture;
    let url: string;
    let registry: ModelRegistry;
    let tracker: RunTracker;
    const logger = silentLogger();
    const train = (kind: 'popular' | 'item-knn', params: Record<string, unknown> = {}) =>
      runTrainJob({ warehouse: fx.warehouse, store: fx.store, kind, params, logger, save: true, threads: 1, registerAs: 'shop', actor: 'tester' });
    const promote = (version: number, o: { force?: boolean; alias?: string } = {}) =>
      promoteVersion({
        warehouse: fx.warehouse,
        store: fx.store,
        logger,
        name: 'shop',
        version,
        alias: o.alias ?? 'champion',
        actor: 'tester',
        reason: 'test',
        force: o.force ?? false,
      });

    beforeAll(async () => {
      url = await backend.newDatabaseUrl('registry');
      fx = await createIngestFixture(url);
      await fx.landGenerated({ users: 300, services: 40, reservations: 6000, seed: 11 });
      await fx.ingest();
      registry = new ModelRegistry(fx.warehouse);
      tracker = new RunTracker(fx.warehouse);
    });
    afterAll(async () => {
      await fx.close();
      await backend.dropDatabase(url);
    });

    it('records each training as a run: params, metrics, data snapshot, code version, artifacts with SHA-256; registers numbered versions', async () => {
      const weak = await train('popular');
      const strong = await train('item-knn');
      expect(weak.registered).toEqual({ name: 'shop', version: 1 });
      expect(strong.registered).toEqual({ name: 'shop', version: 2 });
      const run = await tracker.show(strong.run);
      expect(run).toMatchObject({
        runType: 'train',
        modelKind: 'item-knn',
        status: 'finished',
        experiment: 'item-knn',
        artifactPrefix: `artifacts/${strong.run}`,
      });
      expect(run.metrics['holdout.ndcg']).toBeCloseTo(strong.holdout!.metrics.ndcg, 12);
      expect(run.metrics['popularity.ndcg']).toBeCloseTo(strong.holdout!.popularity.ndcg, 12);
      expect(run.data).toMatchObject({ files: 3, interactions: strong.interactions });
      expect(run.data.fingerprint).toMatch(/^[0-9a-f]{64}$/);
      expect(run.codeVersion).toMatch(/^pickwise@\d+\.\d+\.\d+/);
      expect(run.artifacts.map((a) => a.key.split('/').at(-1)).sort()).toEqual(['ids.json', 'manifest.json', 'model.pwm', 'seen.pwm']);
      expect(run.artifacts.every((a) => /^[0-9a-f]{64}$/.test(a.sha256) && a.size > 0)).toBe(true);
      expect((await tracker.list({ experiment: 'popular' })).map((r) => r.runId)).toEqual([weak.run]);
      const versions = await registry.versions('shop');
      expect(versions.map((v) => [v.version, v.runId, v.status])).toEqual([
        [1, weak.run, 'active'],
        [2, strong.run, 'active'],
      ]);
    });

    it('promotes through the gate: refuses a version worse on the current hold-out unless forced, and says why', async () => {
      expect(await promote(1)).toMatchObject({ version: 1 });
      const up = await promote(2);
      expect(up).toMatchObject({ version: 2, previous: 1, gate: { forced: false } });
      expect(up.gate!.candidate).toBeGreaterThan(up.gate!.incumbent);
      const refused = promote(1);
      await expect(refused).rejects.toBeInstanceOf(ConflictError);
      await expect(refused).rejects.toThrow(
        /refusing to make version 1 of shop 'champion': its NDCG@10 on the current hold-out is 0\.\d{4}, below 0\.\d{4} of version 2/,
      );
      expect(await registry.aliasTarget('shop', 'champion')).toBe(2);
      const forced = await promote(1, { force: true });
      expect(forced).toMatchObject({ version: 1, previous: 2, gate: { forced: true } });
      const history = await registry.events('shop');
      expect(history.map((e) => [e.action, e.version, e.alias, e.previousVersion])).toEqual([
        ['register', 1, null, null],
        ['register', 2, null, null],
        ['promote', 1, 'champion', null],
        ['promote', 2, 'champion', 1],
        ['promote', 1, 'champion', 2],
      ]);
      expect(history.at(-1)).toMatchObject({ actor: 'tester' });
      expect(history.at(-1)!.reason).toMatch(/test \(hold-out NDCG@10 0\.\d{4} vs 0\.\d{4}, forced\)/);
    });

    it('rolls an alias back, keeps several aliases apart, and archives only versions without an alias', async () => {
      expect(await registry.rollback('shop', 'champion', 'tester', 'bad forced promotion')).toEqual({ from: 1, to: 2 });
      expect(await registry.aliasTarget('shop', 'champion')).toBe(2);
      await promote(1, { alias: 'challenger' });
      expect((await registry.versions('shop')).map((v) => v.aliases)).toEqual([['challenger'], ['champion']]);
      await expect(registry.archive('shop', 2, 'tester', 'x')).rejects.toThrow(/is champion: move the alias first/);
      const third = await train('popular', { by: 'weight' });
      await registry.archive('shop', third.registered!.version, 'tester', 'not needed');
      await expect(promote(third.registered!.version)).rejects.toThrow(/archived and cannot be promoted/);
      await expect(registry.setAlias('shop', 'Bad Alias', 1, 'tester', 'x')).rejects.toThrow(/alias 'Bad Alias'/);
      await expect(registry.version('shop', 99)).rejects.toThrow(/has no version 99/);
    });

    it('never promotes a version whose artifacts changed or vanished, and leaves the alias where it was', async () => {
      const v4 = await train('item-knn', { neighbours: 10 });
      const version = v4.registered!.version;
      const ids = `artifacts/${v4.run}/ids.json`;
      const original: Buffer[] = [];
      for await (const chunk of await fx.store.get(ids)) original.push(chunk as Buffer);
      await fx.store.put(ids, '{"users":[],"items":[]}');
      await expect(promote(version)).rejects.toThrow(new RegExp(`artifact artifacts/${v4.run}/ids\\.json of run ${v4.run} has changed since it was recorded`));
      await fx.store.put(ids, Buffer.concat(original));
      await fx.store.delete(`artifacts/${v4.run}/model.pwm`);
      await expect(promote(version)).rejects.toThrow(/is missing from/);
      expect(await registry.aliasTarget('shop', 'champion')).toBe(2);
    });
  });
});
