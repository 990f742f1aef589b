/**
 * ElasticsearchSink through the real `@elastic/elasticsearch` 8.x client against a loopback fake of the
 * Elasticsearch API (test/support/fake-elasticsearch.ts). No Elasticsearch server can be installed on this machine
 * (it is neither a Debian package nor on npm), so these tests prove how the sink drives the client and reads its
 * answers, not compatibility with a given Elasticsearch release.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeElasticsearch, type FakeElasticsearch } from '../../../test/support/fake-elasticsearch.ts';
import { feedbackEvent } from '../../../test/support/feedback-events.ts';
import { configSchema } from '../../config/schema.ts';
import { ConfigError } from '../../shared/errors.ts';
import { runFeedbackSinkContract } from './feedback-sink.contract.ts';
import { FEEDBACK_TEMPLATE_VERSION } from './elasticsearch-documents.ts';
import type { ElasticsearchSink } from './elasticsearch-sink.ts';
import { openElasticsearchSink } from './open-elasticsearch-sink.ts';

type EsOverrides = Record<string, unknown>;

/** The sink `feedback.elasticsearch` describes, pointed at `url`, with a sleep that records delays and returns at once. */
function sinkFor(url: string, overrides: EsOverrides = {}): { sink: ElasticsearchSink; delays: number[] } {
  const config = configSchema.parse({ feedback: { elasticsearch: { url, initialBackoffMs: 100, maxBackoffMs: 1000, ...overrides } } });
  const delays: number[] = [];
  const sink = openElasticsearchSink(config.feedback.elasticsearch, {
    sleep: async (ms) => {
      delays.push(ms);
    },
    random: () => 0.5,
  });
  return { sink, delays };
}

runFeedbackSinkContract('ElasticsearchSink (fake Elasticsearch on loopback)', async () => {
  const fake = await startFakeElasticsearch();
  return { sink: sinkFor(fake.url).sink, cleanup: () => fake.close() };
});

describe('ElasticsearchSink', () => {
  let fake: FakeElasticsearch;
  let sink: ElasticsearchSink | undefined;
  const sinks: ElasticsearchSink[] = [];
  beforeEach(async () => {
    fake = await startFakeElasticsearch();
  });
  afterEach(async () => {
    for (const s of [...sinks.splice(0), ...(sink ? [sink] : [])]) await s.close();
    sink = undefined;
    await fake.close();
  });
  const open = (overrides: EsOverrides = {}) => {
    const opened = sinkFor(fake.url, overrides);
    sinks.push(opened.sink);
    return opened;
  };
  const bulkRequests = () => fake.requests.filter((r) => r.path.endsWith('/_bulk'));

  it('writes each event to the daily index of the UTC day it happened, as a snake_case document with _id = event_id', async () => {
    const { sink } = open({ indexPrefix: 'shop-feedback' });
    const late = feedbackEvent(1, {
      at: '2026-03-01 23:59:59.999',
      recommendationId: 'rec-9',
      modelName: 'als',
      modelVersion: 4,
      basis: 'model',
      rank: 3,
      attribution: 'list',
    });
    const early = feedbackEvent(2, { at: '2026-03-02 00:00:00.000', flags: ['UNKNOWN_USER'] });
    await sink.deliver([late, early]);
    expect([...fake.indices.keys()].sort()).toEqual(['shop-feedback-2026.03.01', 'shop-feedback-2026.03.02']);
    expect(fake.indices.get('shop-feedback-2026.03.01')?.get('evt-1')).toEqual({
      '@timestamp': '2026-03-01T23:59:59.999Z',
      event_id: 'evt-1',
      feedback_id: 1,
      recommendation_id: 'rec-9',
      user_id: late.userId,
      service_id: late.serviceId,
      type: 'select',
      received_at: '2026-03-01T09:30:01.250Z',
      attribution: 'list',
      model_name: 'als',
      model_version: 4,
      basis: 'model',
      rank: 3,
      flags: [],
    });
    expect(fake.indices.get('shop-feedback-2026.03.02')?.get('evt-2')).toMatchObject({ flags: ['UNKNOWN_USER'], recommendation_id: null });
  });

  it('installs its index template, with explicit strict mappings, once before the first bulk request', async () => {
    const { sink } = open();
    await sink.deliver([feedbackEvent(1)]);
    await sink.deliver([feedbackEvent(2)]);
    await sink.deliver([feedbackEvent(3)]);
    const puts = fake.requests.filter((r) => r.method === 'PUT' && r.path === '/_index_template/pickwise-feedback');
    expect(puts).toHaveLength(1);
    expect(fake.requests.findIndex((r) => r.method === 'PUT')).toBeLessThan(fake.requests.findIndex((r) => r.path.endsWith('/_bulk')));
    const template = fake.templates.get('pickwise-feedback') as {
      index_patterns: string[];
      template: { mappings: { dynamic: string; properties: Record<string, { type: string }> } };
    };
    expect(template.index_patterns).toEqual(['pickwise-feedback-*']);
    expect(template.template.mappings.dynamic).toBe('strict');
    expect(template.template.mappings.properties).toMatchObject({
      '@timestamp': { type: 'date' },
      event_id: { type: 'keyword' },
      feedback_id: { type: 'long' },
      rank: { type: 'integer' },
      flags: { type: 'keyword' },
    });
  });

  it('leaves the template alone when the cluster holds it at this version (a restart), and replaces an older one', async () => {
    await open().sink.deliver([feedbackEvent(1)]);
    const putsAfter = () => fake.requests.filter((r) => r.method === 'PUT').length;
    const restarted = open();
    await restarted.sink.deliver([feedbackEvent(2)]);
    expect(putsAfter()).toBe(1);

    fake.templates.set('pickwise-feedback', { ...fake.templates.get('pickwise-feedback'), version: 0 });
    await open().sink.deliver([feedbackEvent(3)]);
    expect(putsAfter()).toBe(2);
    expect(fake.templates.get('pickwise-feedback')).toMatchObject({ version: FEEDBACK_TEMPLATE_VERSION });
  });

  it('refuses a server that is not Elasticsearch (no x-elastic-product header) with a configuration error', async () => {
    const impostor = await startFakeElasticsearch({ productHeader: false });
    try {
      const { sink: other } = sinkFor(impostor.url);
      const error = await other.deliver([feedbackEvent(1)]).catch((e: unknown) => e);
      await other.close();
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/is not Elasticsearch \(no x-elastic-product header\): check feedback\.elasticsearch\.url/);
    } finally {
      await impostor.close();
    }
  });

  it('counts a 409 on resend as already delivered, and stores each document once', async () => {
    const { sink } = open();
    await sink.deliver([feedbackEvent(1), feedbackEvent(2)]);
    const again = await sink.deliver([feedbackEvent(1), feedbackEvent(2), feedbackEvent(3)]);
    expect(again.deliveries.map((d) => d.status)).toEqual(['duplicate', 'duplicate', 'created']);
    expect(again.attempts).toBe(1);
    expect([...fake.storedCount.values()]).toEqual([1, 1, 1]);
  });

  it('retries only the items answered 429 or 5xx, after a jittered, growing delay', async () => {
    const { sink, delays } = open();
    fake.failItem('evt-2', 429, 2);
    fake.failItem('evt-3', 500);
    const report = await sink.deliver([1, 2, 3, 4].map((id) => feedbackEvent(id)));
    expect(report.deliveries.map((d) => d.status)).toEqual(['created', 'created', 'created', 'created']);
    expect(report.attempts).toBe(3);
    expect(bulkRequests().map((r) => r.bulkItems)).toEqual([4, 2, 1]);
    // random() = 0.5: three quarters of each step (100 ms, then 200 ms).
    expect(delays).toEqual([75, 150]);
    expect([...fake.storedCount.values()].every((n) => n === 1)).toBe(true);
  });

  it.each([429, 502, 503])('retries a whole request answered %i', async (status) => {
    const { sink, delays } = open();
    fake.failRequests(status); // the template look-up: nothing is sent before the template is in place
    const first = await sink.deliver([feedbackEvent(1)]);
    expect(first).toMatchObject({ attempts: 2, deliveries: [{ status: 'created' }] });
    fake.failRequests(status, 2); // two bulk requests
    const second = await sink.deliver([feedbackEvent(2)]);
    expect(second).toMatchObject({ attempts: 3, deliveries: [{ status: 'created' }] });
    expect(bulkRequests().map((r) => r.bulkItems)).toEqual([1, 1, 1, 1]);
    expect(delays).toEqual([75, 75, 150]);
  });

  it('retries a request whose connection was reset', async () => {
    const { sink } = open();
    fake.outage('reset');
    const first = await sink.deliver([feedbackEvent(1)]);
    expect(first.deliveries[0]).toMatchObject({ status: 'failed', reason: expect.stringMatching(/ConnectionError/) });
    fake.recover();
    expect((await sink.deliver([feedbackEvent(1)])).deliveries[0]?.status).toBe('created');
  });

  it('gives up after maxAttempts during an outage, reporting every event failed with the reason and storing nothing', async () => {
    const { sink, delays } = open({ maxAttempts: 4 });
    fake.outage('unavailable');
    const report = await sink.deliver([feedbackEvent(1), feedbackEvent(2)]);
    expect(report.attempts).toBe(4);
    expect(report.deliveries).toEqual([
      { feedbackId: 1, eventId: 'evt-1', status: 'failed', reason: expect.stringMatching(/^503 cluster_block_exception/) },
      { feedbackId: 2, eventId: 'evt-2', status: 'failed', reason: expect.stringMatching(/^503/) },
    ]);
    expect(delays).toEqual([75, 150, 300]);
    expect(fake.indices.size).toBe(0);
  });

  it('caps the delay at maxBackoffMs', async () => {
    const { sink, delays } = open({ maxAttempts: 8 });
    fake.outage('unavailable');
    await sink.deliver([feedbackEvent(1)]);
    expect(Math.max(...delays)).toBe(750);
  });

  it('rejects an item Elasticsearch refuses for good (400), without retrying it', async () => {
    const { sink } = open();
    fake.failItem('evt-1', 400);
    const report = await sink.deliver([feedbackEvent(1), feedbackEvent(2)]);
    expect(report.deliveries).toEqual([
      { feedbackId: 1, eventId: 'evt-1', status: 'rejected', reason: '400 document_parsing_exception: scripted 400 for [evt-1]' },
      { feedbackId: 2, eventId: 'evt-2', status: 'created' },
    ]);
    expect(report.attempts).toBe(1);
  });

  it('rejects an event whose time is not UTC text, without sending it', async () => {
    const { sink } = open();
    const report = await sink.deliver([feedbackEvent(1, { at: '2026-03-01T09:30:00Z' }), feedbackEvent(2)]);
    expect(report.deliveries.map((d) => d.status)).toEqual(['rejected', 'created']);
    expect(bulkRequests()[0]?.bulkItems).toBe(1);
  });

  it('stops retrying when asked to stop, leaving the rest failed', async () => {
    const stop = new AbortController();
    const config = configSchema.parse({ feedback: { elasticsearch: { url: fake.url } } });
    sink = openElasticsearchSink(config.feedback.elasticsearch, {
      sleep: async () => {
        stop.abort();
        throw new Error('aborted');
      },
    });
    fake.outage('unavailable');
    const report = await sink.deliver([feedbackEvent(1)], { signal: stop.signal });
    expect(report.attempts).toBe(1);
    expect(report.deliveries[0]?.status).toBe('failed');
  });

  it('sends an API key as Authorization: ApiKey', async () => {
    fake.requireAuthorization('ApiKey a2V5LWlkOmtleS1zZWNyZXQ=');
    const { sink } = open({ apiKey: 'a2V5LWlkOmtleS1zZWNyZXQ=' });
    expect((await sink.deliver([feedbackEvent(1)])).deliveries[0]?.status).toBe('created');
    expect(fake.requests.every((r) => r.headers.authorization === 'ApiKey a2V5LWlkOmtleS1zZWNyZXQ=')).toBe(true);
  });

  it('sends username and password as basic authentication', async () => {
    const basic = `Basic ${Buffer.from('shipper:s3cret:with-colon').toString('base64')}`;
    fake.requireAuthorization(basic);
    const { sink } = open({ username: 'shipper', password: 's3cret:with-colon' });
    expect((await sink.deliver([feedbackEvent(1)])).deliveries[0]?.status).toBe('created');
    expect(fake.requests.every((r) => r.headers.authorization === basic)).toBe(true);
  });

  it('fails with a configuration error naming the keys to check when the credentials are refused', async () => {
    fake.requireAuthorization('ApiKey right');
    const { sink } = open({ apiKey: 'wrong' });
    const error = await sink.deliver([feedbackEvent(1)]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(
      /refused the credentials \(401 security_exception.*check feedback\.elasticsearch\.apiKey, or username and password/,
    );
    expect((error as Error).message).not.toContain('wrong');
  });

  it('says to lower the batch size when a bulk request is too large (413)', async () => {
    const { sink } = open();
    await sink.deliver([feedbackEvent(1)]);
    fake.failRequests(413);
    await expect(sink.deliver([feedbackEvent(2)])).rejects.toThrow(/too large \(413\): lower feedback\.elasticsearch\.batchSize/);
  });

  it('names a CA file it cannot read', () => {
    expect(() => open({ caFile: '/nonexistent/ca.pem' })).toThrow(/feedback\.elasticsearch\.caFile \/nonexistent\/ca\.pem cannot be read/);
  });
});

describe('ElasticsearchSink over TLS with a private certificate authority (caFile)', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('trusts the server only with the CA file', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pickwise-es-tls-'));
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    // A self-signed certificate for 127.0.0.1 is its own CA.
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    const { readFileSync } = await import('node:fs');
    const fake = await startFakeElasticsearch({ tls: { key: readFileSync(key), cert: readFileSync(cert) } });
    try {
      const untrusted = sinkFor(fake.url, { maxAttempts: 1 }).sink;
      const refused = await untrusted.deliver([feedbackEvent(1)]);
      await untrusted.close();
      expect(refused.deliveries[0]).toMatchObject({ status: 'failed', reason: expect.stringMatching(/self-signed|certificate/i) });

      const trusted = sinkFor(fake.url, { caFile: cert }).sink;
      const report = await trusted.deliver([feedbackEvent(1)]);
      await trusted.close();
      expect(report.deliveries[0]?.status).toBe('created');
      expect(fake.url.startsWith('https://')).toBe(true);
    } finally {
      await fake.close();
    }
  });
});
