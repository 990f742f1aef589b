/**
 * Shared helpers that do I/O or read the process's state: the logger (pino), the terminal progress bar and the
 * code version. Never imported by the pure stages (models, preprocess, evaluation, tuning).
 */
export { codeVersion } from './code-version.ts';
export { createLogger, REDACT_PATHS, silentLogger, stageLogger, type Logger } from './logger.ts';
export { FailureLog } from './failure-log.ts';
export { createProgressBar, type ProgressBar } from './progress.ts';
