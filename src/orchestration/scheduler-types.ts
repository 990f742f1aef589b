import type { Clock, Rng } from '../shared/index.ts';
import type { Logger } from '../shared/io.ts';
import type { DagRunRecord, DagSpec, OrchestrationStore, TaskExecutor } from './ports.ts';

/** A file in the landing prefix that no ingest has settled yet, with the hash of its content. */
export interface LandingFile {
  readonly key: string;
  readonly sha256: string;
  readonly size: number;
  readonly modifiedAt: Date;
}

/** What a landing sensor looks at: files under a prefix (default: the ingest landing prefix) not yet ingested. */
export interface LandingSource {
  newFiles(prefix?: string): Promise<readonly LandingFile[]>;
}

/** Something an operator should hear about: a run past its deadline, or a run that failed. */
export interface RunAlert {
  readonly kind: 'deadline_missed' | 'run_failed';
  readonly dagId: string;
  readonly runId: string;
  readonly runKey: string;
  readonly logicalTime: Date;
  readonly at: Date;
  readonly message: string;
}

/**
 * Where run alerts go. The monitoring stage's notifiers speak in metric alerts (a rule, a value, a threshold), so
 * the composition root adapts them to this; without one, alerts are logged at warn (and stay in run history).
 */
export interface RunAlertNotifier {
  notify(alert: RunAlert): Promise<void>;
}

export interface SchedulerOptions {
  /** The checked DAGs (built-ins merged with the user's), see `buildDags`. */
  readonly dags: readonly DagSpec[];
  readonly store: OrchestrationStore;
  readonly executor: TaskExecutor;
  readonly clock: Clock;
  /** Draws the retry jitter. */
  readonly rng: Rng;
  readonly logger: Logger;
  readonly notifier?: RunAlertNotifier;
  readonly landing?: LandingSource;
  /** New run ids (uuid v7 from the clock by default). */
  readonly newId?: () => string;
  /**
   * Seconds a try may stay queued (handed to the executor, not yet claimed) before it is handed over again: an
   * executor that lost it (a restarted process) gets it back; executors run a (run, task, try) at most once.
   */
  readonly requeueSeconds?: number;
  /** Cron runs created per DAG per tick at most when catching up (the rest follow on later ticks). */
  readonly maxCatchupPerTick?: number;
}

/** What one tick did, for logs and tests. */
export interface TickReport {
  readonly at: Date;
  /** Runs this tick created (cron, sensors), by run key. */
  readonly runsCreated: readonly string[];
  /** Runs moved queued → running. */
  readonly runsStarted: number;
  /** Runs that reached success, failed or canceled in this tick. */
  readonly runsFinished: number;
  /** Tries handed to the executor (new tries and tries handed over again). */
  readonly triesSubmitted: number;
  readonly retriesScheduled: number;
  /** Running tries whose lease lapsed (their worker died) and that this tick moved on. */
  readonly leasesExpired: number;
  readonly deadlineAlerts: number;
  /** Problems this tick logged and went past (a landing listing that failed, a submit that failed...). */
  readonly errors: readonly string[];
}

/** Mutable counters of a tick in progress. */
export interface TickCounters {
  runsCreated: string[];
  runsStarted: number;
  runsFinished: number;
  triesSubmitted: number;
  retriesScheduled: number;
  leasesExpired: number;
  deadlineAlerts: number;
  errors: string[];
}

export const newCounters = (): TickCounters => ({
  runsCreated: [],
  runsStarted: 0,
  runsFinished: 0,
  triesSubmitted: 0,
  retriesScheduled: 0,
  leasesExpired: 0,
  deadlineAlerts: 0,
  errors: [],
});

/** A run created or found by a trigger. */
export interface TriggerResult {
  readonly run: DagRunRecord;
  readonly created: boolean;
}

/** One day of a backfill: its run key and logical time, and the run when it exists (or was just created). */
export interface BackfillDay {
  readonly date: string;
  readonly runKey: string;
  readonly logicalTime: Date;
  readonly run?: DagRunRecord;
  readonly created: boolean;
}
