import path from 'node:path';
import type { ElasticsearchShipConfig } from '../../config/index.ts';
import { stageLogger, type Logger } from '../../shared/io.ts';
import type { Sleep } from './backoff.ts';
import type { ElasticsearchSink } from './elasticsearch-sink.ts';
import type { FeedbackOutbox } from './feedback-outbox.ts';
import { FileShipCursor } from './file-ship-cursor.ts';
import { openElasticsearchSink } from './open-elasticsearch-sink.ts';
import { Shipper } from './shipper.ts';

/** Where the Elasticsearch shipper keeps its cursor under the config's `home`. */
export function elasticsearchCursorFile(home: string): string {
  return path.join(home, 'feedback', 'elasticsearch.cursor.json');
}

/**
 * The shipper `feedback.elasticsearch` describes, over any outbox: the Elasticsearch sink, and a file cursor at
 * `<home>/feedback/elasticsearch.cursor.json`. The caller closes `sink` when done. Pointing the shipper at another
 * cluster keeps the cursor: delete the file to ship everything there (what a cluster already holds answers 409).
 */
export function openElasticsearchShipper(options: {
  readonly home: string;
  readonly config: ElasticsearchShipConfig;
  readonly outbox: FeedbackOutbox;
  readonly logger: Logger;
  readonly sleep?: Sleep;
  readonly random?: () => number;
}): { shipper: Shipper; sink: ElasticsearchSink; cursor: FileShipCursor } {
  const { config } = options;
  const timing = { ...(options.sleep ? { sleep: options.sleep } : {}), ...(options.random ? { random: options.random } : {}) };
  const sink = openElasticsearchSink(config, timing);
  const cursor = new FileShipCursor({ file: elasticsearchCursorFile(options.home) });
  const shipper = new Shipper({
    outbox: options.outbox,
    cursor,
    sink,
    logger: stageLogger(options.logger, 'feedback-ship', { sink: 'elasticsearch', indexPrefix: config.indexPrefix }),
    batchSize: config.batchSize,
    pollMs: config.pollSeconds * 1000,
    backoff: { initialMs: config.initialBackoffMs, maxMs: config.maxBackoffMs },
    ...timing,
  });
  return { shipper, sink, cursor };
}
