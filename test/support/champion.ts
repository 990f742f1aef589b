import type { ModelKind } from '../../src/models/index.ts';
import { promoteVersion, runTrainJob } from '../../src/pipeline/index.ts';
import { silentLogger } from '../../src/shared/io.ts';
import type { IngestFixture } from './ingest-fixture.ts';

/**
 * Trains `kind` on everything the fixture's warehouse holds (no hold-out unless `holdout`, the test fraction, is
 * given: then the run also records hold-out metrics), registers it as `name` and makes that version the
 * `champion`: the model a test's `pickwise serve` or API answers with. Returns the version.
 */
export async function trainChampion(fx: IngestFixture, o: { kind: ModelKind; name?: string; holdout?: number }): Promise<number> {
  const name = o.name ?? 'shop';
  const logger = silentLogger();
  const trained = await runTrainJob({
    warehouse: fx.warehouse,
    store: fx.store,
    kind: o.kind,
    params: {},
    logger,
    save: true,
    threads: 1,
    registerAs: name,
    holdout: o.holdout ?? 0,
  });
  const version = trained.registered!.version;
  await promoteVersion({ warehouse: fx.warehouse, store: fx.store, logger, name, version, alias: 'champion', actor: 'test' });
  return version;
}
