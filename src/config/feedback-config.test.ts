import { describe, expect, it } from 'vitest';
import { loadConfig, redactConfig } from './load-config.ts';

describe('feedback.elasticsearch config', () => {
  it('is off by default, with daily indices under pickwise-feedback', () => {
    const es = loadConfig({ file: false }).feedback.elasticsearch;
    expect(es).toEqual({
      indexPrefix: 'pickwise-feedback',
      batchSize: 500,
      maxAttempts: 5,
      initialBackoffMs: 200,
      maxBackoffMs: 5_000,
      requestTimeoutSeconds: 30,
      pollSeconds: 2,
    });
  });

  it('reads every key from the environment', () => {
    const es = loadConfig({
      file: false,
      env: {
        PICKWISE_FEEDBACK__ELASTICSEARCH__URL: 'https://es.internal:9200',
        PICKWISE_FEEDBACK__ELASTICSEARCH__API_KEY: 'a2V5OnNlY3JldA==',
        PICKWISE_FEEDBACK__ELASTICSEARCH__CA_FILE: '/etc/ca.pem',
        PICKWISE_FEEDBACK__ELASTICSEARCH__BATCH_SIZE: '1000',
        PICKWISE_FEEDBACK__ELASTICSEARCH__INDEX_PREFIX: 'shop-feedback',
      },
    }).feedback.elasticsearch;
    expect(es).toMatchObject({
      url: 'https://es.internal:9200',
      apiKey: 'a2V5OnNlY3JldA==',
      caFile: '/etc/ca.pem',
      batchSize: 1000,
      indexPrefix: 'shop-feedback',
    });
  });

  it('hides the API key and the password when the config is printed', () => {
    const withKey = loadConfig({ file: false, env: { PICKWISE_FEEDBACK__ELASTICSEARCH__API_KEY: 'very-secret-key' } });
    const withPassword = loadConfig({
      file: false,
      env: { PICKWISE_FEEDBACK__ELASTICSEARCH__USERNAME: 'shipper', PICKWISE_FEEDBACK__ELASTICSEARCH__PASSWORD: 'hunter2' },
    });
    expect(redactConfig(withKey)).toMatchObject({ feedback: { elasticsearch: { apiKey: '***' } } });
    expect(redactConfig(withPassword)).toMatchObject({ feedback: { elasticsearch: { username: 'shipper', password: '***' } } });
    expect(JSON.stringify(redactConfig(withKey)) + JSON.stringify(redactConfig(withPassword))).not.toMatch(/very-secret-key|hunter2/);
  });

  it.each([
    [{ API_KEY: 'k', USERNAME: 'u', PASSWORD: 'p' }, /feedback\.elasticsearch\.apiKey: set either apiKey or username and password, not both/],
    [{ USERNAME: 'u' }, /feedback\.elasticsearch\.password: username and password go together/],
    [{ PASSWORD: 'p' }, /feedback\.elasticsearch\.username: username and password go together/],
    [{ URL: 'https://u:p@es:9200' }, /feedback\.elasticsearch\.url: put credentials in apiKey or username\/password/],
    [{ URL: 'not a url' }, /feedback\.elasticsearch\.url/],
    [{ INDEX_PREFIX: 'Feedback*' }, /feedback\.elasticsearch\.indexPrefix: lower-case letters/],
    [{ INITIAL_BACKOFF_MS: '5000', MAX_BACKOFF_MS: '1000' }, /feedback\.elasticsearch\.maxBackoffMs: must be at least initialBackoffMs \(5000\)/],
    [{ BATCH_SIZE: '0' }, /feedback\.elasticsearch\.batchSize/],
    [{ SHARDS: '3' }, /feedback\.elasticsearch.*shards/i],
  ])('refuses %o with a message naming the key', (vars, message) => {
    const env = Object.fromEntries(Object.entries(vars).map(([k, v]) => [`PICKWISE_FEEDBACK__ELASTICSEARCH__${k}`, v]));
    expect(() => loadConfig({ file: false, env })).toThrow(message);
  });
});

describe('feedback learning config', () => {
  it('learns from feedback by default, with a cancel as negative evidence', () => {
    const f = loadConfig({ file: false }).feedback;
    expect(f.learn).toBe(true);
    expect(f.weights).toEqual({ impression: 0, select: 0.25, reserve: 0.5, complete: 1, cancel: -0.75 });
  });

  it('reads the switch and the weights from the environment', () => {
    const f = loadConfig({ file: false, env: { PICKWISE_FEEDBACK__LEARN: '0', PICKWISE_FEEDBACK__WEIGHTS__SELECT: '0.5' } }).feedback;
    expect(f.learn).toBe(false);
    expect(f.weights.select).toBe(0.5);
  });

  it('refuses a positive cancel weight and a negative select weight, naming the key', () => {
    expect(() => loadConfig({ file: false, env: { PICKWISE_FEEDBACK__WEIGHTS__CANCEL: '1' } })).toThrow(/feedback\.weights\.cancel/);
    expect(() => loadConfig({ file: false, env: { PICKWISE_FEEDBACK__WEIGHTS__SELECT: '-1' } })).toThrow(/feedback\.weights\.select/);
  });
});
