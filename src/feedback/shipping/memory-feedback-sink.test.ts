import { runFeedbackSinkContract } from './feedback-sink.contract.ts';
import { MemoryFeedbackSink } from './memory-feedback-sink.ts';

runFeedbackSinkContract('MemoryFeedbackSink', async () => ({ sink: new MemoryFeedbackSink(), cleanup: async () => {} }));
