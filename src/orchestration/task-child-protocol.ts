import type { Config } from '../config/index.ts';
import type { JobCatalogRef, JobResult } from '../pipeline/index.ts';
import type { TaskAttempt } from './ports.ts';

/** Parent → child: the one message a child for one try receives. */
export interface ChildStart {
  readonly type: 'start';
  readonly attempt: TaskAttempt;
  readonly catalog: JobCatalogRef;
  /** The loaded configuration (already validated): the child opens its own warehouse and bucket from it. */
  readonly config: Readonly<Config>;
  readonly logLevel: string;
}

/** Child → parent: log lines as they come, then exactly one end. */
export type ChildMessage =
  | { readonly type: 'log'; readonly line: string }
  | { readonly type: 'result'; readonly result: JobResult }
  | { readonly type: 'error'; readonly message: string; readonly retryable: boolean };
