import { randomUUID } from 'node:crypto';
import { Rng, toUtcText } from '../../src/shared/index.ts';
import { FeedbackRepo, packShownItems, type ServedListRow, type Warehouse } from '../../src/warehouse/index.ts';

/** Debian's Chromium, driven by playwright-core (never `npx playwright install`, which downloads a browser). */
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Lists one model version served under one basis, and how people reacted to them. */
export interface TrafficGroup {
  readonly model: string;
  readonly version: number;
  readonly basis: string;
  /** Lists served. */
  readonly lists: number;
  /** Chance that a list gets a select (of its first service), that a select is canceled, else reserved, and a reserve completed. */
  readonly select: number;
  readonly cancel: number;
  readonly reserve: number;
  readonly complete: number;
  /** Its lists fall in its last this many hours (default: the traffic's `hours`), e.g. a version promoted later. */
  readonly hours?: number;
}

/**
 * Known traffic for the dashboard, through the real paths: served lists written by FeedbackRepo (as the served-list
 * recorder commits them), reactions posted to POST /v1/feedback of a running API (attributed to their list by
 * recommendation_id), plus `unattributed` selects without a list. Event times spread over the last `hours` whole
 * hours before `now` (the list `i` of a group reacts in hour `i % hours` back), so charts get several buckets.
 * Returns the events posted per type.
 */
export async function sendDashboardTraffic(o: {
  warehouse: Warehouse;
  /** `http://host:port` of an API that takes POST /v1/feedback. */
  api: string;
  apiKey?: string | undefined;
  users: readonly string[];
  services: readonly string[];
  groups: readonly TrafficGroup[];
  unattributed: number;
  now: Date;
  hours: number;
  seed?: number;
}): Promise<Record<string, number>> {
  const rng = new Rng(o.seed ?? 14);
  const posted: Record<string, number> = {};
  const events: { event_id: string; recommendation_id?: string; user_id: string; service_id: string; type: string; at: string }[] = [];
  const lists: ServedListRow[] = [];
  const hourStart = Math.floor(o.now.getTime() / 3_600_000) * 3_600_000;
  let n = 0;
  for (const g of o.groups) {
    for (let i = 0; i < g.lists; i++, n++) {
      const id = randomUUID();
      const user = o.users[n % o.users.length]!;
      const shown = Array.from({ length: 3 }, (_, r) => o.services[(n + r) % o.services.length]!);
      // Within its hour, a few minutes in: never later than now.
      const hour = hourStart - rng.int(0, g.hours ?? o.hours) * 3_600_000;
      const at = (minute: number) => new Date(Math.min(hour + minute * 60_000, o.now.getTime() - 1000)).toISOString();
      lists.push({
        recommendationId: id,
        source: 'user',
        batchId: null,
        userId: user,
        modelName: g.model,
        registryVersion: g.version,
        modelKind: 'popular',
        artifactVersion: 'v1',
        basis: g.basis,
        filterCategory: null,
        filterRegion: null,
        k: shown.length,
        itemCount: shown.length,
        createdAt: toUtcText(new Date(Math.min(hour, o.now.getTime() - 2000))),
        items: packShownItems(
          shown.map((s, r): [string, number] => [s, 1 - r / 10]),
          (p) => [p[0], p[1]],
        ),
      });
      const react = (type: string, service: string, minute: number) =>
        events.push({ event_id: `${id}-${type}-${service}`, recommendation_id: id, user_id: user, service_id: service, type, at: at(minute) });
      for (const s of shown) react('impression', s, 1);
      if (!rng.chance(g.select)) continue;
      react('select', shown[0]!, 2);
      if (rng.chance(g.cancel)) react('cancel', shown[0]!, 3);
      else if (rng.chance(g.reserve)) {
        react('reserve', shown[0]!, 3);
        if (rng.chance(g.complete)) react('complete', shown[0]!, 4);
      }
    }
  }
  for (let i = 0; i < o.unattributed; i++)
    events.push({
      event_id: `unattributed-${i}`,
      user_id: `UNSEEN${i}`,
      service_id: o.services[0]!,
      type: 'select',
      at: new Date(o.now.getTime() - 60_000).toISOString(),
    });
  await new FeedbackRepo(o.warehouse).insertServedLists(lists);
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(o.apiKey ? { 'x-api-key': o.apiKey } : {}) };
  for (let i = 0; i < events.length; i += 1000) {
    const batch = events.slice(i, i + 1000);
    const res = await fetch(`${o.api}/v1/feedback`, { method: 'POST', headers, body: JSON.stringify({ events: batch }) });
    if (res.status !== 200) throw new Error(`POST /v1/feedback answered ${res.status}: ${await res.text()}`);
    const answer = (await res.json()) as { stored: number; results: unknown[] };
    if (answer.stored !== batch.length)
      throw new Error(`POST /v1/feedback stored ${answer.stored} of ${batch.length} events: ${JSON.stringify(answer.results.slice(0, 3))}`);
    for (const e of batch) posted[e.type] = (posted[e.type] ?? 0) + 1;
  }
  return posted;
}
