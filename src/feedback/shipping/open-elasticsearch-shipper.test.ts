import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { capturedLogger } from '../../../test/support/captured-logger.ts';
import { startFakeElasticsearch } from '../../../test/support/fake-elasticsearch.ts';
import { feedbackEvent } from '../../../test/support/feedback-events.ts';
import { loadConfig } from '../../config/load-config.ts';
import { MemoryFeedbackOutbox } from './memory-feedback-outbox.ts';
import { openElasticsearchShipper } from './open-elasticsearch-shipper.ts';

// Against a loopback fake of Elasticsearch (test/support/fake-elasticsearch.ts): no Elasticsearch server installs here.
it('builds the shipper from the config: batch size, index prefix, and a cursor file under home', async () => {
  const fake = await startFakeElasticsearch();
  const home = await mkdtemp(path.join(tmpdir(), 'pickwise-home-'));
  try {
    const config = loadConfig({
      file: false,
      env: {
        PICKWISE_HOME: home,
        PICKWISE_FEEDBACK__ELASTICSEARCH__URL: fake.url,
        PICKWISE_FEEDBACK__ELASTICSEARCH__BATCH_SIZE: '4',
        PICKWISE_FEEDBACK__ELASTICSEARCH__INDEX_PREFIX: 'salon-feedback',
      },
    });
    const log = capturedLogger();
    const outbox = new MemoryFeedbackOutbox(Array.from({ length: 10 }, (_, i) => feedbackEvent(i + 1)));
    const { shipper, sink } = openElasticsearchShipper({ home: config.home, config: config.feedback.elasticsearch, outbox, logger: log.logger });
    try {
      expect(await shipper.drain()).toMatchObject({ batches: 3, created: 10, cursor: 10 });
    } finally {
      await sink.close();
    }
    expect(JSON.parse(await readFile(path.join(home, 'feedback', 'elasticsearch.cursor.json'), 'utf8'))).toEqual({ feedbackId: 10 });
    expect([...fake.indices.keys()]).toEqual(['salon-feedback-2026.03.01']);
    expect(fake.templates.has('salon-feedback')).toBe(true);
    const batchLines = log.lines().filter((l) => l.msg === 'feedback batch shipped');
    expect(batchLines.map((l) => l.events)).toEqual([4, 4, 2]);
    expect(batchLines[0]).toMatchObject({ stage: 'feedback-ship', sink: 'elasticsearch', indexPrefix: 'salon-feedback' });
  } finally {
    await fake.close();
    await rm(home, { recursive: true, force: true });
  }
});
