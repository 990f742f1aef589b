import type { AlertDelivery, EventNotification } from '../monitoring/index.ts';
import type { RunAlert, RunAlertNotifier } from './scheduler-types.ts';

/** A run alert as the monitoring notifiers' event: a failed run or a missed deadline, with the run's keys beside it. */
export function runAlertEvent(alert: RunAlert): EventNotification {
  const what = alert.kind === 'run_failed' ? 'run failed' : 'deadline missed';
  return {
    kind: 'event',
    title: `${what}: ${alert.dagId}`,
    text: `${alert.message} (pickwise dag-runs show ${alert.runId})`,
    fields: { DAG: alert.dagId, 'Run key': alert.runKey, 'Logical time': alert.logicalTime.toISOString(), Run: alert.runId },
    source: 'orchestration',
    at: alert.at.toISOString(),
  };
}

/** Sends run alerts through the alerts' background delivery (the log always, Slack when configured); never waits. */
export function deliveringRunAlerts(delivery: Pick<AlertDelivery, 'enqueue'>): RunAlertNotifier {
  return {
    async notify(alert) {
      delivery.enqueue(runAlertEvent(alert));
    },
  };
}
