import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../shared/errors.ts';
import { CONFIG_FILE_NAME, envToObject, loadConfig, redactConfig } from './load-config.ts';

const EXAMPLE_FILE = fileURLToPath(new URL('../../pickwise.config.example.yaml', import.meta.url));

const tempDirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pickwise-config-'));
  tempDirs.push(dir);
  return dir;
}

function yamlFile(text: string, name = 'config.yaml'): string {
  const file = path.join(tempDir(), name);
  writeFileSync(file, text, 'utf8');
  return file;
}

afterEach(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig defaults', () => {
  it('embeds the defaults when there is no file, env or override', () => {
    expect(loadConfig({ file: false })).toEqual({
      home: '.pickwise',
      database: { url: 'sqlite:.pickwise/pickwise.db', poolSize: 4, connectTimeoutSeconds: 10 },
      storage: { url: 'file:.pickwise/bucket', forcePathStyle: false },
      ingest: { landingPrefix: 'landing/', rawPrefix: 'raw/', quarantinePrefix: 'quarantine/', maxClockSkew: 86_400, maxRecordBytes: 65_536 },
      features: { afterIngest: true },
      serve: {
        host: '127.0.0.1',
        port: 8080,
        alias: 'champion',
        pollSeconds: 30,
        apiKeys: [],
        keysForReads: false,
        keysForMetrics: false,
        keysForDocs: false,
        maxBatchUsers: 500,
        freshnessSeconds: 5,
        freshMaxUsers: 100_000,
      },
      feedback: {
        attributionWindow: 86_400,
        maxClockSkew: 300,
        recordServed: true,
        flushMs: 250,
        flushLists: 1000,
        maxBufferedLists: 50_000,
        learn: true,
        weights: { impression: 0, select: 0.25, reserve: 0.5, complete: 1, cancel: -0.75 },
        elasticsearch: {
          indexPrefix: 'pickwise-feedback',
          batchSize: 500,
          maxAttempts: 5,
          initialBackoffMs: 200,
          maxBackoffMs: 5_000,
          requestTimeoutSeconds: 30,
          pollSeconds: 2,
        },
      },
      alerts: { enabled: true, evaluateEvery: 60, rules: expect.any(Array), slack: { timeoutSeconds: 10, maxAttempts: 4 } },
      monitoring: { metricVersions: 10, dashboardRefreshSeconds: 30 },
      orchestration: loadConfig({ file: false, overrides: {} }).orchestration,
      log: { level: 'info', format: 'auto' },
    });
  });

  it('reads the feedback durations like the ingest ones, and keeps the group commit at most 250 ms apart', () => {
    const config = loadConfig({ file: false, env: { PICKWISE_FEEDBACK__ATTRIBUTION_WINDOW: '36h', PICKWISE_FEEDBACK__MAX_CLOCK_SKEW: '90s' } });
    expect(config.feedback).toMatchObject({ attributionWindow: 129_600, maxClockSkew: 90 });
    expect(() => loadConfig({ file: false, env: { PICKWISE_FEEDBACK__FLUSH_MS: '1000' } })).toThrow(/flushMs/);
    expect(() => loadConfig({ file: false, env: { PICKWISE_FEEDBACK__ATTRIBUTION_WINDOW: 'soon' } })).toThrow(/attributionWindow/);
  });

  it('reads API keys as a comma-separated list from the environment, and refuses short ones', () => {
    const config = loadConfig({ file: false, env: { PICKWISE_SERVE__API_KEYS: 'aaaaaaaaaaaaaaaa1, bbbbbbbbbbbbbbbb2' } });
    expect(config.serve.apiKeys).toEqual(['aaaaaaaaaaaaaaaa1', 'bbbbbbbbbbbbbbbb2']);
    expect(() => loadConfig({ file: false, env: { PICKWISE_SERVE__API_KEYS: 'short' } })).toThrow(/apiKeys/);
  });

  it('derives the database and storage defaults from home', () => {
    const config = loadConfig({ file: false, overrides: { home: '/var/lib/pw' } });
    expect(config.database.url).toBe('sqlite:/var/lib/pw/pickwise.db');
    expect(config.storage.url).toBe('file:/var/lib/pw/bucket');
  });

  it('keeps an explicit database or storage URL when home changes', () => {
    const config = loadConfig({ file: false, env: { PICKWISE_HOME: 'data', PICKWISE_STORAGE__URL: 'memory:' } });
    expect(config.database.url).toBe('sqlite:data/pickwise.db');
    expect(config.storage.url).toBe('memory:');
  });

  it('does not read process.env when no env is given', () => {
    const previous = process.env.PICKWISE_HOME;
    process.env.PICKWISE_HOME = 'from-process-env';
    try {
      expect(loadConfig({ file: false }).home).toBe('.pickwise');
    } finally {
      if (previous === undefined) delete process.env.PICKWISE_HOME;
      else process.env.PICKWISE_HOME = previous;
    }
  });
});

describe('loadConfig layers', () => {
  it('applies defaults < YAML file < env < overrides', () => {
    const file = yamlFile(
      [
        'home: file-home',
        'database:',
        '  url: sqlite:file.db',
        '  poolSize: 8',
        'serve:',
        '  maxBatchUsers: 200',
        '  pollSeconds: 7',
        'log:',
        '  level: debug',
      ].join('\n'),
    );
    const config = loadConfig({
      file,
      env: { PICKWISE_DATABASE__URL: 'sqlite:env.db', PICKWISE_SERVE__MAX_BATCH_USERS: '300', PICKWISE_LOG__LEVEL: 'warn' },
      overrides: { serve: { maxBatchUsers: 400 }, log: { level: undefined } },
    });
    expect(config.home).toBe('file-home'); // file only
    expect(config.database.poolSize).toBe(8); // file over default
    expect(config.database.connectTimeoutSeconds).toBe(10); // default
    expect(config.database.url).toBe('sqlite:env.db'); // env over file
    expect(config.serve.pollSeconds).toBe(7); // a sibling from the file survives the env merge
    expect(config.serve.maxBatchUsers).toBe(400); // override over env over file
    expect(config.log.level).toBe('warn'); // an undefined override does not erase env
    expect(config.storage.url).toBe('file:file-home/bucket'); // derived from the file's home
  });

  it('reads pickwise.config.yaml from cwd when no file is named', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, CONFIG_FILE_NAME), 'log:\n  level: error\n', 'utf8');
    expect(loadConfig({ cwd: dir }).log.level).toBe('error');
    expect(loadConfig({ cwd: dir, file: false }).log.level).toBe('info');
    expect(loadConfig({ cwd: tempDir() }).log.level).toBe('info');
  });

  it('treats an empty YAML file as no settings', () => {
    expect(loadConfig({ file: yamlFile('# nothing here\n') })).toEqual(loadConfig({ file: false }));
  });

  it('fails with a ConfigError when the named file does not exist', () => {
    const missing = path.join(tempDir(), 'nope.yaml');
    expect(configErrorOf(() => loadConfig({ file: missing })).message).toContain(missing);
  });

  it('fails with a ConfigError on unreadable YAML or YAML that is not a mapping', () => {
    const broken = yamlFile('database: [unclosed\n');
    expect(configErrorOf(() => loadConfig({ file: broken })).message).toContain(`cannot read config file ${broken}`);
    const list = yamlFile('- a\n- b\n');
    expect(configErrorOf(() => loadConfig({ file: list })).message).toContain('must hold a mapping');
  });

  it('reads PICKWISE_DATABASE__URL into database.url', () => {
    expect(loadConfig({ file: false, env: { PICKWISE_DATABASE__URL: 'mysql://u:p@db:3306/pw' } }).database.url).toBe('mysql://u:p@db:3306/pw');
  });

  it('coerces PICKWISE_SERVE__MAX_BATCH_USERS=500 to the number 500', () => {
    const config = loadConfig({ file: false, env: { PICKWISE_SERVE__MAX_BATCH_USERS: '500' } });
    expect(config.serve.maxBatchUsers).toBe(500);
    expect(typeof config.serve.maxBatchUsers).toBe('number');
  });

  it('reads boolean-ish env values for forcePathStyle', () => {
    expect(loadConfig({ file: false, env: { PICKWISE_STORAGE__FORCE_PATH_STYLE: '1' } }).storage.forcePathStyle).toBe(true);
    expect(loadConfig({ file: false, env: { PICKWISE_STORAGE__FORCE_PATH_STYLE: 'true' } }).storage.forcePathStyle).toBe(true);
    expect(loadConfig({ file: false, env: { PICKWISE_STORAGE__FORCE_PATH_STYLE: '0' } }).storage.forcePathStyle).toBe(false);
    expect(loadConfig({ file: yamlFile('storage:\n  forcePathStyle: true\n') }).storage.forcePathStyle).toBe(true);
  });

  it('ignores empty env values and variables without the prefix', () => {
    const config = loadConfig({ file: false, env: { PICKWISE_DATABASE__URL: '', DATABASE__URL: 'sqlite:x.db', HOME: '/root' } });
    expect(config.database.url).toBe('sqlite:.pickwise/pickwise.db');
  });
});

describe('loadConfig errors', () => {
  it('rejects an unknown env key, naming it', () => {
    const error = configErrorOf(() => loadConfig({ file: false, env: { PICKWISE_DATABSE__URL: 'sqlite:x.db' } }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('databse');
  });

  it('rejects an unknown nested key, naming it and its section', () => {
    const error = configErrorOf(() => loadConfig({ file: false, env: { PICKWISE_INGEST__RAWPREFIX: 'x/' } }));
    expect(error.message).toMatch(/ingest: .*"rawprefix"/);
  });

  it('says what to do about a key that was removed', () => {
    const error = configErrorOf(() => loadConfig({ file: yamlFile('ingest:\n  batchSize: 1000\n') }));
    expect(error.message).toContain('ingest.batchSize was removed');
    expect(error.message).toContain('delete it');
  });

  it('rejects an unknown key in the file, naming the key and the file', () => {
    const file = yamlFile('storage:\n  bucket: my-bucket\n');
    const error = configErrorOf(() => loadConfig({ file }));
    expect(error.message).toContain('bucket');
    expect(error.message).toContain('storage');
    expect(error.message).toContain(file);
  });

  it('rejects invalid values, naming the key path', () => {
    const cases: [Record<string, string>, string][] = [
      [{ PICKWISE_SERVE__MAX_BATCH_USERS: 'abc' }, 'serve.maxBatchUsers'],
      [{ PICKWISE_SERVE__MAX_BATCH_USERS: '0' }, 'serve.maxBatchUsers'],
      [{ PICKWISE_SERVE__MAX_BATCH_USERS: '10001' }, 'serve.maxBatchUsers'],
      [{ PICKWISE_SERVE__MAX_BATCH_USERS: '2.5' }, 'serve.maxBatchUsers'],
      [{ PICKWISE_SERVE__FRESHNESS_SECONDS: '-1' }, 'serve.freshnessSeconds'],
      [{ PICKWISE_SERVE__FRESH_MAX_USERS: '0' }, 'serve.freshMaxUsers'],
      [{ PICKWISE_DATABASE__POOL_SIZE: '-1' }, 'database.poolSize'],
      [{ PICKWISE_STORAGE__FORCE_PATH_STYLE: 'yes' }, 'storage.forcePathStyle'],
      [{ PICKWISE_STORAGE__ENDPOINT: 'not a url' }, 'storage.endpoint'],
      [{ PICKWISE_LOG__LEVEL: 'loud' }, 'log.level'],
    ];
    for (const [env, keyPath] of cases) {
      expect(configErrorOf(() => loadConfig({ file: false, env })).message, JSON.stringify(env)).toContain(`${keyPath}:`);
    }
  });

  it('rejects an invalid value from overrides', () => {
    expect(configErrorOf(() => loadConfig({ file: false, overrides: { home: '' } })).message).toContain('home:');
  });
});

describe('loadConfig result', () => {
  it('is deep-frozen', () => {
    const config = loadConfig({ file: false });
    expect(Object.isFrozen(config)).toBe(true);
    for (const section of [config.database, config.storage, config.ingest, config.log]) expect(Object.isFrozen(section)).toBe(true);
    expect(() => {
      (config.database as { url: string }).url = 'sqlite:other.db';
    }).toThrow(TypeError);
    expect(config.database.url).toBe('sqlite:.pickwise/pickwise.db');
  });

  it('matches the committed example file, which must parse', () => {
    expect(loadConfig({ file: EXAMPLE_FILE })).toEqual(loadConfig({ file: false }));
  });
});

describe('envToObject', () => {
  it('turns PICKWISE_ names into nested camel-case keys', () => {
    expect(
      envToObject({
        PICKWISE_HOME: '/data',
        PICKWISE_DATABASE__URL: 'sqlite:a.db',
        PICKWISE_INGEST__MAX_RECORD_BYTES: '500',
        PICKWISE_STORAGE__SECRET_ACCESS_KEY: 'sk',
        PICKWISE_DATABASE__CONNECT_TIMEOUT_SECONDS: '3',
      }),
    ).toEqual({
      home: '/data',
      database: { url: 'sqlite:a.db', connectTimeoutSeconds: '3' },
      ingest: { maxRecordBytes: '500' },
      storage: { secretAccessKey: 'sk' },
    });
  });

  it('skips other variables, empty values and undefined values', () => {
    expect(envToObject({ PATH: '/bin', PICKWISE_LOG__LEVEL: '', PICKWISE_HOME: undefined, pickwise_home: 'x' })).toEqual({});
  });
});

describe('redactConfig', () => {
  it('hides secrets and the database password without changing the config', () => {
    const config = loadConfig({
      file: false,
      env: {
        PICKWISE_DATABASE__URL: 'mysql://u:hunter2@h/db',
        PICKWISE_STORAGE__ACCESS_KEY_ID: 'AKIAEXAMPLE',
        PICKWISE_STORAGE__SECRET_ACCESS_KEY: 'wJalrXUtnFEMI',
        PICKWISE_STORAGE__URL: 's3://bucket/prefix',
        PICKWISE_SERVE__API_KEYS: 'key-one-secret-0001,key-two-secret-0002',
      },
    });
    const redacted = redactConfig(config);
    expect(redacted).toMatchObject({
      database: { url: 'mysql://u:***@h/db', poolSize: 4 },
      storage: { url: 's3://bucket/prefix', accessKeyId: '***', secretAccessKey: '***' },
      serve: { apiKeys: ['***', '***'] },
    });
    const text = JSON.stringify(redacted);
    for (const secret of ['hunter2', 'AKIAEXAMPLE', 'wJalrXUtnFEMI', 'key-one-secret-0001', 'key-two-secret-0002']) expect(text).not.toContain(secret);
    expect(config.database.url).toBe('mysql://u:hunter2@h/db');
    expect(config.storage.secretAccessKey).toBe('wJalrXUtnFEMI');
  });

  it('leaves absent secrets absent and other values as they are', () => {
    const config = loadConfig({ file: false });
    expect(redactConfig(config)).toEqual(JSON.parse(JSON.stringify(config)));
  });
});
