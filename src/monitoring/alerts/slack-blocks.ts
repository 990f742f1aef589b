import type { EventNotification, Notification } from './alert-state.ts';
import { describeNotification, formatDuration, formatValue } from './describe.ts';

/** The subset of Slack's Block Kit this message uses (https://api.slack.com/reference/block-kit/blocks). */
export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string } }
  | { type: 'section'; text?: { type: 'mrkdwn'; text: string }; fields?: { type: 'mrkdwn'; text: string }[] }
  | { type: 'context'; elements: { type: 'mrkdwn'; text: string }[] }
  | { type: 'actions'; elements: { type: 'button'; text: { type: 'plain_text'; text: string }; url: string }[] };

/** A Slack message: `text` is the notification fallback (and what screen readers say), `blocks` what people see. */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: SlackBlock[];
}

/** Slack escapes: `&`, `<` and `>` are control characters in mrkdwn. */
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The Block Kit message of a notification: state and rule, the numbers, the scope, and a link to the dashboard. */
export function slackMessage(n: Notification, dashboardUrl?: string): SlackMessage {
  if (n.kind === 'event') return eventMessage(n, dashboardUrl);
  const icon = n.kind === 'firing' ? ':red_circle:' : n.kind === 'resolved' ? ':large_green_circle:' : ':white_circle:';
  const state = n.kind === 'firing' ? 'Firing' : n.kind === 'resolved' ? 'Resolved' : 'Test';
  const blocks: SlackBlock[] = [{ type: 'header', text: { type: 'plain_text', text: `${state}: ${n.rule}`.slice(0, 150) } }];
  if (n.kind === 'test') {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: 'A test message from `pickwise alerts test`: alerts will arrive in this channel.' } });
  } else {
    const scope = n.subject === null ? n.scope : `${n.scope} (${n.subject})`;
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `${icon} *${esc(n.metric)}* is *${formatValue(n.metric, n.value)}*, ${n.kind === 'firing' ? '' : 'no longer '}${esc(n.op)} ${formatValue(n.metric, n.threshold)}`,
      },
      fields: [
        { type: 'mrkdwn', text: `*Value*\n${formatValue(n.metric, n.value)}` },
        { type: 'mrkdwn', text: `*Threshold*\n${esc(n.op)} ${formatValue(n.metric, n.threshold)}` },
        { type: 'mrkdwn', text: `*Events*\n${n.events}` },
        { type: 'mrkdwn', text: `*Window*\n${formatDuration(n.window)}` },
        { type: 'mrkdwn', text: `*Scope*\n${esc(scope)}` },
        { type: 'mrkdwn', text: `*State*\n${state.toLowerCase()} since ${n.since.replace('T', ' ').slice(0, 16)} UTC` },
      ],
    });
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `pickwise · rule \`${esc(n.rule)}\` · ${n.at.replace('T', ' ').slice(0, 19)} UTC` }] });
  if (dashboardUrl !== undefined)
    blocks.push({ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open the dashboard' }, url: dashboardUrl }] });
  return { text: describeNotification(n), blocks };
}

/** An event as a Slack message: its title, text and fields, who reports it, and the dashboard link. */
function eventMessage(n: EventNotification, dashboardUrl?: string): SlackMessage {
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: n.title.slice(0, 150) } },
    {
      type: 'section',
      text: { type: 'mrkdwn', text: `:warning: ${esc(n.text)}` },
      ...(Object.keys(n.fields).length > 0
        ? {
            fields: Object.entries(n.fields)
              .slice(0, 10)
              .map(([name, value]) => ({ type: 'mrkdwn', text: `*${esc(name)}*\n${esc(value)}` })),
          }
        : {}),
    },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `pickwise · ${esc(n.source)} · ${n.at.replace('T', ' ').slice(0, 19)} UTC` }] },
  ];
  if (dashboardUrl !== undefined)
    blocks.push({ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open the dashboard' }, url: dashboardUrl }] });
  return { text: describeNotification(n), blocks };
}
