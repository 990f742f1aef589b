import type { Migration } from 'kysely';
import { starSchema } from './0001-star-schema.ts';
import { featureTables } from './0002-feature-tables.ts';
import { featureWatermark } from './0003-feature-watermark.ts';
import { tuningTables } from './0004-tuning.ts';
import { trackingRegistry } from './0005-tracking-registry.ts';
import { trialHeartbeat } from './0006-trial-heartbeat.ts';
import { feedbackTables } from './0007-feedback.ts';
import { runFeedback } from './0008-run-feedback.ts';
import { ingestDuplicates } from './0009-ingest-duplicates.ts';
import { packedImpressions } from './0010-packed-impressions.ts';
import { monitoringRollups } from './0011-monitoring-rollups.ts';
import { shownServiceLatest } from './0012-shown-service-latest.ts';
import { orchestrationTables } from './0013-orchestration.ts';
import { interactionScanIndex } from './0014-interaction-scan-index.ts';

/** Every schema version, in order. Names sort in application order; never rename or edit a released one. */
export const migrations: Readonly<Record<string, Migration>> = {
  '0001-star-schema': starSchema,
  '0002-feature-tables': featureTables,
  '0003-feature-watermark': featureWatermark,
  '0004-tuning': tuningTables,
  '0005-tracking-registry': trackingRegistry,
  '0006-trial-heartbeat': trialHeartbeat,
  '0007-feedback': feedbackTables,
  '0008-run-feedback': runFeedback,
  '0009-ingest-duplicates': ingestDuplicates,
  '0010-packed-impressions': packedImpressions,
  '0011-monitoring-rollups': monitoringRollups,
  '0012-shown-service-latest': shownServiceLatest,
  '0013-orchestration': orchestrationTables,
  '0014-interaction-scan-index': interactionScanIndex,
};
