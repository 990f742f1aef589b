/**
 * Alert rule evaluation, pure: no I/O, no clock (the caller passes `now`), no logger. The I/O around it (reading
 * metrics, persisting states, sending notifications) is in the parent folder.
 */
export { conditionHolds, evaluateRules, type EvaluateInput, type EvaluateOutput } from './evaluate-rules.ts';
export {
  initialState,
  type AlertNotification,
  type AlertPhase,
  type EventNotification,
  type Notification,
  type MetricReading,
  type ReadingResult,
  type RuleState,
} from './alert-state.ts';
export { describeNotification, formatDuration, formatValue } from './describe.ts';
export { slackMessage, type SlackBlock, type SlackMessage } from './slack-blocks.ts';
