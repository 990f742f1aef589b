/**
 * A bounded, known amount of traffic for a running `pickwise serve`: lists for generated users (recorded as served
 * lists), feedback of every type on them, and a few client errors, so that every serving metric has data.
 */
export interface LoadCounts {
  readonly lists: number;
  readonly feedback: number;
  readonly clientErrors: number;
}

/** One round of traffic: `users` lists (U0000001…), reactions to each list's first item, 2 client errors. */
export async function sendLoadRound(base: string, o: { users: number; round: number }): Promise<LoadCounts> {
  const events: Record<string, string>[] = [];
  for (let u = 1; u <= o.users; u++) {
    const user = `U${String(u).padStart(7, '0')}`;
    const res = await fetch(`${base}/v1/users/${user}/recommendations?k=5`);
    if (res.status !== 200) throw new Error(`GET recommendations for ${user}: ${res.status} ${await res.text()}`);
    const list = (await res.json()) as { recommendation_id: string; items: { service_id: string }[] };
    const service = list.items[0]?.service_id;
    if (service === undefined) continue;
    // Every user sees the list; two in three select its first item, one in three of those cancels, one reserves and completes.
    const types = u % 3 === 0 ? ['impression'] : u % 3 === 1 ? ['impression', 'select', 'cancel'] : ['impression', 'select', 'reserve', 'complete'];
    for (const type of types) {
      events.push({ event_id: `load-${o.round}-${u}-${type}`, recommendation_id: list.recommendation_id, user_id: user, service_id: service, type });
    }
  }
  const posted = await fetch(`${base}/v1/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
  if (posted.status !== 200) throw new Error(`POST /v1/feedback: ${posted.status} ${await posted.text()}`);
  // Client errors: an unknown route (404) and a k out of range (400).
  await fetch(`${base}/v1/nothing-here`);
  await fetch(`${base}/v1/users/U0000001/recommendations?k=1000`);
  return { lists: o.users, feedback: events.length, clientErrors: 2 };
}
