import { z } from 'zod';
import { alertsSchema } from './alerts-schema.ts';
import { durationSeconds } from './durations.ts';
import { orchestrationSchema } from './orchestration-schema.ts';
import { boolish } from './scalars.ts';

export { durationSeconds };

/** Keys whose values are secrets: never logged or printed (see {@link redactConfig}). */
export const SECRET_PATHS: readonly string[] = [
  'database.url',
  'storage.secretAccessKey',
  'storage.accessKeyId',
  'serve.apiKeys',
  'feedback.elasticsearch.url',
  'feedback.elasticsearch.apiKey',
  'feedback.elasticsearch.password',
  'alerts.slack.webhookUrl',
  'orchestration.executor.url',
];

const positiveInt = z.coerce.number().int().positive();

/**
 * The one configuration object of pickwise. Defaults live only here. Precedence:
 * defaults < `pickwise.config.yaml` < `PICKWISE_*` environment < command-line flags.
 */
export const configSchema = z
  .object({
    /** Folder for everything pickwise keeps locally (embedded database, local bucket). */
    home: z.string().min(1).default('.pickwise'),
    database: z
      .object({
        /** `sqlite:PATH` (embedded default: `sqlite:<home>/pickwise.db`) or `mysql://user:pass@host:port/db` (MariaDB 10.6+, MySQL 8). */
        url: z.string().min(1).optional(),
        /** Connections kept open to a MariaDB/MySQL server (at least 2: one holds the run lock). */
        poolSize: positiveInt.min(2).default(4),
        /** Seconds to wait for a database server before giving up with BACKEND_UNAVAILABLE. */
        connectTimeoutSeconds: z.coerce.number().positive().default(10),
      })
      .strict()
      .prefault({}),
    storage: z
      .object({
        /** `file:PATH` (embedded default: `file:<home>/bucket`), `s3://bucket/prefix`, `gs://bucket/prefix` or `memory:`. */
        url: z.string().min(1).optional(),
        /** S3-compatible endpoint (MinIO, Ceph, R2…); leave empty for AWS. */
        endpoint: z.string().url().optional(),
        region: z.string().optional(),
        forcePathStyle: boolish.default(false),
        accessKeyId: z.string().optional(),
        secretAccessKey: z.string().optional(),
        /** GCS: project and service-account key file; apiEndpoint targets an emulator. */
        projectId: z.string().optional(),
        keyFilename: z.string().optional(),
        apiEndpoint: z.string().url().optional(),
      })
      .strict()
      .prefault({}),
    ingest: z
      .object({
        /** Where the business uploads CSV files. */
        landingPrefix: z.string().default('landing/'),
        /** Raw backups: `raw/YYYY/MM/DD/<sha256-prefix>-<name>`. */
        rawPrefix: z.string().default('raw/'),
        /** Rejected rows with line numbers and reasons: `quarantine/<sha256-prefix>-<name>.rejects.csv`. */
        quarantinePrefix: z.string().default('quarantine/'),
        /** Removed: statements are sized by each database's parameter limits. Named here so old files get a clear error. */
        batchSize: z.undefined({ error: "ingest.batchSize was removed (rows per statement follow the database's own limits): delete it" }).optional(),
        /**
         * Timestamps (reserved_at, signup_at, created_at) later than now + this are quarantined as FUTURE_TIMESTAMP.
         * A duration: `1d`, `36h`, `90m`, `45s` or seconds; the parsed value is in seconds.
         */
        maxClockSkew: durationSeconds.default(86_400),
        /**
         * Longest record of a landing file in bytes, line breaks inside quoted fields included. A quote still open
         * at this size (or a longer line) quarantines that record's first line, and reading resumes on the next.
         */
        maxRecordBytes: positiveInt
          .min(1024)
          .max(64 << 20)
          .default(64 << 10),
      })
      .strict()
      .prefault({}),
    features: z
      .object({
        /** Rebuild the feature tables (feat_user, feat_service) after an ingest that loaded files. */
        afterIngest: boolish.default(true),
      })
      .strict()
      .prefault({}),
    serve: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: z.coerce.number().int().min(0).max(65_535).default(8080),
        /** Serve this registered model's `alias` (checked against recorded SHA-256); unset: the newest trained model. */
        modelName: z.string().min(1).optional(),
        alias: z.string().min(1).default('champion'),
        /** How often to look for a moved alias or a newer model, and swap to it. */
        pollSeconds: z.coerce.number().positive().max(86_400).default(30),
        /**
         * API keys (comma-separated in PICKWISE_SERVE__API_KEYS), sent in the x-api-key header. Once any is set,
         * the write routes (fold-in, batch, feedback) need one.
         */
        apiKeys: z.preprocess(
          (v) =>
            typeof v === 'string'
              ? v
                  .split(',')
                  .map((k) => k.trim())
                  .filter(Boolean)
              : v,
          z.array(z.string().min(16)).default([]),
        ),
        /** Require a key for the read routes too (a user's list, similar services, the current model). */
        keysForReads: boolish.default(false),
        /** Require a key for /metrics. */
        keysForMetrics: boolish.default(false),
        /** Require a key for the API description (/openapi.json) and its docs page (/docs). */
        keysForDocs: boolish.default(false),
        /** Users per batch request, at most. */
        maxBatchUsers: positiveInt.max(10_000).default(500),
        /**
         * Every this many seconds, read the reservations loaded since the served model's data, so that users' lists
         * leave them out and follow them (fold-in) without retraining; 0 turns it off (lists as trained).
         */
        freshnessSeconds: z.coerce.number().min(0).max(86_400).default(5),
        /** Users whose newer reservations are held, at most; past it, other users' lists stay as trained until retraining. */
        freshMaxUsers: positiveInt.max(10_000_000).default(100_000),
      })
      .strict()
      .superRefine((serve, ctx) => {
        const asked = (['keysForReads', 'keysForMetrics', 'keysForDocs'] as const).filter((k) => serve[k]);
        if (asked.length > 0 && serve.apiKeys.length === 0) {
          ctx.addIssue({
            code: 'custom',
            path: ['apiKeys'],
            message: `${asked.map((k) => `serve.${k}`).join(', ')} needs at least one key in serve.apiKeys (PICKWISE_SERVE__API_KEYS)`,
          });
        }
      })
      .prefault({}),
    feedback: z
      .object({
        /**
         * A reaction without a recommendation_id is attributed to the latest list that showed the service to the
         * user within this long before it (attribution 'window'); else it is kept unattributed. A duration.
         */
        attributionWindow: durationSeconds.default(86_400),
        /** A reaction dated later than now + this is stored at now, flagged CLOCK_CLAMPED. A duration. */
        maxClockSkew: durationSeconds.default(300),
        /** Record every list the API serves (rec_list, rec_impression), for attribution and statistics. */
        recordServed: boolish.default(true),
        /**
         * Milliseconds between group commits of served lists: at most this much of them is lost to a kill -9
         * (a SIGTERM or a database outage loses nothing).
         */
        flushMs: positiveInt.min(10).max(250).default(250),
        /** Served lists that trigger a group commit before flushMs has passed. */
        flushLists: positiveInt.max(100_000).default(1_000),
        /** Served lists held in memory at most; more (a disk that cannot keep up) are dropped and counted in /metrics. */
        maxBufferedLists: positiveInt.max(1_000_000).default(50_000),
        /** `train`, `tune` and `models promote` learn from stored feedback events (besides reservations); `--no-feedback` turns it off for one run. */
        learn: boolish.default(true),
        /**
         * What one feedback event adds to its (user, service) pair's implicit-feedback weight, in the same units as
         * reservations (a completed reservation weighs 1, a reserved one 0.5). The pair's reservations and events are
         * summed and the sum clamped at 0: a pair whose evidence nets negative contributes nothing. Defaults, from the
         * implicit-feedback literature rather than tuned on any data set: confidence grows with how costly the action is
         * for the user (Hu, Koren and Volinsky, "Collaborative Filtering for Implicit Feedback Datasets", ICDM 2008), and
         * graded channels view < click < purchase carry graded preference (Loni, Pagano, Larson and Hanjalic, "Bayesian
         * Personalized Ranking with Multi-Channel User Feedback", RecSys 2016). So `complete` weighs as a completed
         * reservation (1), `reserve` as a reserved one (0.5), `select` (a click) half of that (0.25), and an
         * `impression` without a select 0 (being shown and not choosing is too weak and too position-biased to count).
         * A `cancel` is negative evidence, -0.75: it undoes the select and the reservation it ends (0.25 + 0.5), so
         * select → reserve → cancel nets 0, as a canceled reservation does, and a cancel after a mere select lowers
         * the pair's other evidence.
         */
        weights: z
          .object({
            impression: z.coerce.number().min(0).max(10).default(0),
            select: z.coerce.number().min(0).max(10).default(0.25),
            reserve: z.coerce.number().min(0).max(10).default(0.5),
            complete: z.coerce.number().min(0).max(10).default(1),
            /** At most 0: a cancel never adds evidence. */
            cancel: z.coerce.number().min(-10).max(0).default(-0.75),
          })
          .strict()
          .prefault({}),
        /** Shipping stored feedback events to Elasticsearch (`_bulk` create by event id, daily indices). Off while `url` is unset. */
        elasticsearch: z
          .object({
            /** `https://es.internal:9200` (or `http://`); credentials go in apiKey or username/password, not here. */
            url: z.string().url().optional(),
            /** Events go to daily indices `<indexPrefix>-YYYY.MM.DD` (by the event's time), matched by an index template of this name. */
            indexPrefix: z
              .string()
              .regex(/^[a-z0-9][a-z0-9_.-]{0,199}$/, 'lower-case letters, digits, and . _ - (not first); an Elasticsearch index name')
              .default('pickwise-feedback'),
            /** An API key (the base64 `encoded` value Elasticsearch returns), sent as `Authorization: ApiKey …`. */
            apiKey: z.string().min(1).optional(),
            /** Basic authentication, instead of an API key. */
            username: z.string().min(1).optional(),
            password: z.string().min(1).optional(),
            /** PEM file of the certificate authority that signed the server's certificate (a private CA), for https URLs. */
            caFile: z.string().min(1).optional(),
            /** Events per `_bulk` request. */
            batchSize: positiveInt.max(10_000).default(500),
            /** Requests per batch (first try included) before a batch counts as failed for now; its events stay in the outbox. */
            maxAttempts: positiveInt.max(100).default(5),
            /** First retry delay in milliseconds after a 429, a 5xx or a lost connection; doubles per retry, with jitter. */
            initialBackoffMs: positiveInt.default(200),
            /**
             * Longest delay between two tries, in milliseconds (also between rounds while Elasticsearch is down, so it
             * bounds how long `--follow` stays idle after Elasticsearch is back). A batch's tries reach about 1.6 s at
             * the default start, so this mostly sets the pace of the rounds during an outage: about one round of
             * `maxAttempts` requests every 5–8 s by default.
             */
            maxBackoffMs: positiveInt.default(5_000),
            /** Seconds before one request is abandoned (and retried). */
            requestTimeoutSeconds: z.coerce.number().positive().max(3600).default(30),
            /** How often `--follow` looks for new events once it has caught up. */
            pollSeconds: z.coerce.number().positive().max(3600).default(2),
          })
          .strict()
          .superRefine((es, ctx) => {
            if (es.apiKey !== undefined && (es.username !== undefined || es.password !== undefined)) {
              ctx.addIssue({ code: 'custom', path: ['apiKey'], message: 'set either apiKey or username and password, not both' });
            }
            if ((es.username === undefined) !== (es.password === undefined)) {
              ctx.addIssue({ code: 'custom', path: [es.username === undefined ? 'username' : 'password'], message: 'username and password go together' });
            }
            if (es.maxBackoffMs < es.initialBackoffMs) {
              ctx.addIssue({ code: 'custom', path: ['maxBackoffMs'], message: `must be at least initialBackoffMs (${es.initialBackoffMs})` });
            }
            if (es.url !== undefined && /^[a-z]+:\/\/[^/]*@/i.test(es.url)) {
              ctx.addIssue({ code: 'custom', path: ['url'], message: 'put credentials in apiKey or username/password, not in the URL' });
            }
          })
          .prefault({}),
      })
      .strict()
      .prefault({}),
    /** Alert rules evaluated inside `pickwise serve`, and where their notifications go (see README, Alerts). */
    alerts: alertsSchema.prefault({}),
    /** The dashboard and the warehouse gauges of /metrics (see README, Monitoring data). */
    monitoring: z
      .object({
        /**
         * Model versions per model name that /metrics exports gauges for: the newest this many, plus the one being
         * served. Bounds the series a scrape returns however many versions the registry keeps.
         */
        metricVersions: positiveInt.max(100).default(10),
        /** Seconds between two refreshes of the dashboard page's numbers. */
        dashboardRefreshSeconds: positiveInt.min(5).max(3600).default(30),
      })
      .strict()
      .prefault({}),
    /** DAGs of pipeline jobs run on schedules and file arrivals, locally or on BullMQ (see README, Orchestration). */
    orchestration: orchestrationSchema.prefault({}),
    log: z
      .object({
        level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
        /** `auto`: one readable line per event on a terminal, JSON lines when stderr is piped or with `--json`. */
        format: z.enum(['auto', 'pretty', 'json']).default('auto'),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .transform((cfg) => ({
    ...cfg,
    database: { ...cfg.database, url: cfg.database.url ?? `sqlite:${cfg.home}/pickwise.db` },
    storage: { ...cfg.storage, url: cfg.storage.url ?? `file:${cfg.home}/bucket` },
  }));

export type ConfigInput = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema>;
export type DatabaseConfig = Config['database'];
export type StorageConfig = Config['storage'];
export type IngestConfig = Config['ingest'];
export type ServeConfig = Config['serve'];
export type FeedbackConfig = Config['feedback'];
export type ElasticsearchShipConfig = Config['feedback']['elasticsearch'];
export type AlertsConfig = Config['alerts'];
export type MonitoringConfig = Config['monitoring'];
export type OrchestrationConfig = Config['orchestration'];
