/**
 * Shared vocabulary and helpers without business logic or I/O: errors, the domain's row model, UTC time text, the
 * seeded RNG, small statistics, CSV and input quoting, worker threads. Every stage may import it. Modules that do
 * I/O or hold process-wide state (the logger, the progress bar, the code version) are in `io.ts`.
 */
export { type Clock, systemClock } from './clock.ts';
export { csvLine } from './csv-line.ts';
export * from './domain.ts';
export * from './errors.ts';
export { QUOTED_INPUT_CHARS, quoteInput } from './quote-input.ts';
export { redactUrl, redactWebhookUrl } from './redact-url.ts';
export { type MutableIndexed, Rng } from './rng.ts';
export { median } from './stats.ts';
export { calendarOf, toUtcText, utcText, type CalendarDay } from './utc-time.ts';
export { uuidV7 } from './uuid-v7.ts';
export { startWorker } from './worker-thread.ts';
