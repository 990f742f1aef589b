import type { AlertsConfig } from '../config/index.ts';
import { stageLogger, type Logger } from '../shared/io.ts';
import { LogNotifier } from './log-notifier.ts';
import type { Notifier } from './notifier.ts';
import { SlackNotifier } from './slack-notifier.ts';

/** The notifiers the configuration asks for: the log always, Slack when `alerts.slack.webhookUrl` is set. */
export function createNotifiers(alerts: Pick<AlertsConfig, 'slack' | 'dashboardUrl'>, logger: Logger): Notifier[] {
  const notifiers: Notifier[] = [new LogNotifier(stageLogger(logger, 'alerts'))];
  const { webhookUrl, timeoutSeconds, maxAttempts } = alerts.slack;
  if (webhookUrl !== undefined) notifiers.push(new SlackNotifier({ webhookUrl, timeoutSeconds, maxAttempts, dashboardUrl: alerts.dashboardUrl }));
  return notifiers;
}
