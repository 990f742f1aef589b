import { z } from 'zod';
import { openElasticsearchShipper, WarehouseFeedbackOutbox, type ShipTotals } from '../../feedback/index.ts';
import { ConfigError } from '../../shared/index.ts';
import { FeedbackRepo } from '../../warehouse/index.ts';
import { defineCommand } from '../command.ts';

export const feedbackShipCommand = defineCommand({
  name: 'feedback ship',
  description: 'Ship stored feedback events to Elasticsearch (feedback.elasticsearch), exactly once by event id',
  options: z.object({
    follow: z.boolean().optional().describe('keep shipping new events (and wait out outages) until SIGTERM or Ctrl-C'),
  }),
  async run(runtime, o): Promise<ShipTotals & { mode: 'drain' | 'follow' }> {
    const config = runtime.config.feedback.elasticsearch;
    if (config.url === undefined) {
      throw new ConfigError('feedback.elasticsearch.url is not set: name the cluster (PICKWISE_FEEDBACK__ELASTICSEARCH__URL) to ship feedback to it');
    }
    const outbox = new WarehouseFeedbackOutbox({ repo: new FeedbackRepo(await runtime.warehouse()) });
    const { shipper, sink } = openElasticsearchShipper({ home: runtime.config.home, config, outbox, logger: runtime.logger });
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    try {
      const totals = o.follow === true ? await shipper.follow({ signal: stop.signal }) : await shipper.drain({ signal: stop.signal });
      return { ...totals, mode: o.follow === true ? 'follow' : 'drain' };
    } finally {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      await sink.close();
    }
  },
  print(r, io) {
    io.out(
      `shipped to Elasticsearch: ${r.created} new, ${r.duplicates} already there, ${r.failed} to retry, in ${r.batches} batch(es); cursor at feedback_id ${r.cursor}`,
    );
  },
});
