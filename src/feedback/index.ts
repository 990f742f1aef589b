/**
 * The feedback loop: what the API served (recorded in batches that survive outages), the reactions to it, and
 * shipping them from the warehouse's outbox to sinks (Elasticsearch) with a persisted cursor.
 */
export { FEEDBACK_TYPES, type Attribution, type FeedbackEventRecord, type FeedbackType } from './feedback-event.ts';
export { toFeedbackEventRecord } from './feedback-record.ts';
export { FeedbackFlag, FeedbackRejection, recordFeedback, type FeedbackInput, type FeedbackOutcome, type RecordFeedbackOptions } from './record-feedback.ts';
export { ServedListRecorder, type Every, type RecorderObserver, type ServedListRecorderOptions } from './served-lists/served-list-recorder.ts';
export { type ServedListWriter } from './served-lists/batch-committer.ts';
export { type FeedbackOutbox } from './shipping/feedback-outbox.ts';
export { MemoryFeedbackOutbox } from './shipping/memory-feedback-outbox.ts';
export { type ShipCursor } from './shipping/ship-cursor.ts';
export { MemoryShipCursor } from './shipping/memory-ship-cursor.ts';
export { FileShipCursor } from './shipping/file-ship-cursor.ts';
export { type Delivery, type DeliveryStatus, type FeedbackSink, type SinkReport } from './shipping/feedback-sink.ts';
export { MemoryFeedbackSink } from './shipping/memory-feedback-sink.ts';
export { ElasticsearchSink, type ElasticsearchClientLike, type ElasticsearchSinkOptions } from './shipping/elasticsearch-sink.ts';
export { openElasticsearchSink } from './shipping/open-elasticsearch-sink.ts';
export { dailyIndexName, feedbackIndexTemplate, FEEDBACK_TEMPLATE_VERSION } from './shipping/elasticsearch-documents.ts';
export { backoffDelay, realSleep, type BackoffBounds, type Sleep } from './shipping/backoff.ts';
export { Shipper, type ShipperOptions, type ShipTotals } from './shipping/shipper.ts';
export { elasticsearchCursorFile, openElasticsearchShipper } from './shipping/open-elasticsearch-shipper.ts';
export { OUTBOX_SETTLE_MS, WarehouseFeedbackOutbox } from './warehouse-feedback-outbox.ts';
