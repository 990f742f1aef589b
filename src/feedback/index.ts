/** The feedback loop: what the API served (recorded in batches that survive outages) and the reactions to it. */
export { FEEDBACK_TYPES, type Attribution, type FeedbackEventRecord, type FeedbackType } from './feedback-event.ts';
export { toFeedbackEventRecord } from './feedback-record.ts';
export { FeedbackFlag, FeedbackRejection, recordFeedback, type FeedbackInput, type FeedbackOutcome, type RecordFeedbackOptions } from './record-feedback.ts';
export { ServedListRecorder, type Every, type RecorderObserver, type ServedListRecorderOptions, type ServedListWriter } from './served-list-recorder.ts';
