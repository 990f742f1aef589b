/**
 * Feedback: reactions to the lists pickwise served, and shipping them from the warehouse's outbox to sinks
 * (Elasticsearch) with a persisted cursor.
 */
export { type Attribution, FEEDBACK_TYPES, type FeedbackEventRecord, type FeedbackType } from './feedback-event.ts';
export { type FeedbackOutbox } from './shipping/feedback-outbox.ts';
export { MemoryFeedbackOutbox } from './shipping/memory-feedback-outbox.ts';
export { type ShipCursor } from './shipping/ship-cursor.ts';
export { MemoryShipCursor } from './shipping/memory-ship-cursor.ts';
export { FileShipCursor } from './shipping/file-ship-cursor.ts';
