import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../shared/rng.ts';
import { audit, generate, parseIsoUtc } from './landing-test-support.ts';

const START = new Date('2024-01-01T00:00:00Z');
const END = new Date('2024-07-01T00:00:00Z');
const DAY = 86_400;

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

interface Booking {
  id: string;
  user: string;
  service: string;
  status: string;
  at: number;
  rating: string;
}

/** Realism of the simulated marketplace, judged from the files alone. */
describe('reservation model', () => {
  let bookings: Booking[];
  /** First row of each reservation id, in file order. */
  let firsts: Booking[];
  let userRows: Map<string, { signup: number; region: string; birthYear: string }>;
  let serviceRows: Map<string, { created: number; region: string; category: string }>;
  const startSec = START.getTime() / 1000;
  const endSec = END.getTime() / 1000;

  beforeAll(async () => {
    const generated = await generate({ users: 4000, services: 400, reservations: 60_000, seed: 5, dirty: 0, start: START, end: END });
    const { clean } = audit(generated);
    userRows = new Map(
      clean.users.map(([id, signup, , birthYear, region]) => [
        id ?? '',
        { signup: parseIsoUtc(signup ?? '') ?? NaN, region: region ?? '', birthYear: birthYear ?? '' },
      ]),
    );
    serviceRows = new Map(
      clean.services.map(([id, , category, region, , created]) => [
        id ?? '',
        { created: parseIsoUtc(created ?? '') ?? NaN, region: region ?? '', category: category ?? '' },
      ]),
    );
    bookings = clean.reservations.map(([id, user, service, status, at, rating]) => ({
      id: id ?? '',
      user: user ?? '',
      service: service ?? '',
      status: status ?? '',
      at: parseIsoUtc(at ?? '') ?? NaN,
      rating: rating ?? '',
    }));
    const seen = new Set<string>();
    firsts = bookings.filter((b) => !seen.has(b.id) && seen.add(b.id));
  });

  it('concentrates bookings on popular services', () => {
    const perService = new Map<string, number>();
    for (const b of firsts) perService.set(b.service, (perService.get(b.service) ?? 0) + 1);
    const sorted = [...perService.values()].sort((a, b) => b - a);
    const top1pct = sorted.slice(0, Math.ceil(serviceRows.size / 100)).reduce((a, b) => a + b, 0);
    // Uniform choice would give 1 %.
    expect(top1pct / firsts.length).toBeGreaterThan(0.08);
  });

  it('keeps users mostly in their own region, far above chance', () => {
    const share = (pairs: Array<[string, string]>) => pairs.filter(([a, b]) => a === b).length / pairs.length;
    const pairs = firsts
      .map((b): [string, string] => [userRows.get(b.user)?.region ?? '', serviceRows.get(b.service)?.region ?? ''])
      .filter(([home]) => home !== '');
    const rng = new Rng(1);
    const shuffledServices = rng.shuffle(pairs.map(([, s]) => s));
    const chance = share(pairs.map(([u], i) => [u, shuffledServices[i] ?? '']));
    expect(share(pairs)).toBeGreaterThan(0.55);
    expect(share(pairs)).toBeGreaterThan(4 * chance);
  });

  it('follows latent tastes: users stick to their categories more than region and popularity explain', () => {
    // Null model: swap services between bookings of the same region, which keeps region affinity and
    // popularity but breaks any link between a user and what they like.
    const rng = new Rng(2);
    const byRegion = new Map<string, number[]>();
    firsts.forEach((b, i) => {
      const region = serviceRows.get(b.service)?.region ?? '';
      push(byRegion, region, i);
    });
    const swapped = firsts.map((b) => b.service);
    for (const idx of byRegion.values()) {
      const services = rng.shuffle(idx.map((i) => firsts[i]?.service ?? ''));
      idx.forEach((i, k) => (swapped[i] = services[k] ?? ''));
    }
    const topCategoryShare = (services: readonly string[]) => {
      const perUser = new Map<string, string[]>();
      firsts.forEach((b, i) => push(perUser, b.user, serviceRows.get(services[i] ?? '')?.category ?? ''));
      const shares = [...perUser.values()]
        .filter((cats) => cats.length >= 10)
        .map((cats) => {
          const counts = new Map<string, number>();
          for (const c of cats) counts.set(c, (counts.get(c) ?? 0) + 1);
          return Math.max(...counts.values()) / cats.length;
        });
      return shares.reduce((a, b) => a + b, 0) / shares.length;
    };
    expect(topCategoryShare(firsts.map((b) => b.service))).toBeGreaterThan(topCategoryShare(swapped) + 0.1);
  });

  it('gives heavy-tailed activity: most users book a little, a few book a lot', () => {
    const perUser = new Map<string, number>();
    for (const b of firsts) perUser.set(b.user, (perUser.get(b.user) ?? 0) + 1);
    const counts = [...perUser.values()].sort((a, b) => a - b);
    const median = counts[Math.floor(counts.length / 2)] ?? 0;
    const mean = firsts.length / counts.length;
    expect(median).toBeLessThan(mean);
    expect(counts[counts.length - 1]).toBeGreaterThan(10 * median);
  });

  it('dates bookings inside the period, after signup and service creation, in time order', () => {
    // One assertion over all rows: per-row expects would dominate the run time.
    const misplaced = bookings.filter(
      (b) =>
        !(b.at >= startSec && b.at < endSec && b.at >= (userRows.get(b.user)?.signup ?? Infinity) && b.at >= (serviceRows.get(b.service)?.created ?? Infinity)),
    );
    expect(misplaced).toEqual([]);
    expect(firsts.every((b, i) => i === 0 || b.at >= (firsts[i - 1]?.at ?? 0))).toBe(true);
    for (const u of userRows.values()) {
      expect(u.signup).toBeLessThan(endSec);
      if (u.birthYear !== '') {
        const age = new Date(u.signup * 1000).getUTCFullYear() - Number(u.birthYear);
        expect(age).toBeGreaterThanOrEqual(18);
        expect(age).toBeLessThanOrEqual(75);
      }
    }
  });

  it('mostly completes, cancels 10–15 %, leaves recent bookings reserved, rates ~30 % of visits', () => {
    const finals = new Map(bookings.map((b) => [b.id, b]));
    const all = [...finals.values()];
    const share = (pred: (b: Booking) => boolean, of = all) => of.filter(pred).length / of.length;
    expect(share((b) => b.status === 'completed')).toBeGreaterThan(0.75);
    expect(share((b) => b.status === 'canceled')).toBeGreaterThan(0.1);
    expect(share((b) => b.status === 'canceled')).toBeLessThan(0.15);
    const reserved = all.filter((b) => b.status === 'reserved');
    expect(reserved.length).toBeGreaterThan(0);
    expect(share((b) => endSec - b.at < 21 * DAY, reserved)).toBe(1);
    const completed = all.filter((b) => b.status === 'completed');
    expect(share((b) => b.rating !== '', completed)).toBeGreaterThan(0.25);
    expect(share((b) => b.rating !== '', completed)).toBeLessThan(0.35);
    expect(all.every((b) => b.rating === '' || b.status === 'completed')).toBe(true);
  });

  it('rates services of a user’s favourite category higher than the rest', () => {
    const perUser = new Map<string, Booking[]>();
    for (const b of firsts) push(perUser, b.user, b);
    const inFavourite: number[] = [];
    const elsewhere: number[] = [];
    const finals = new Map(bookings.map((b) => [b.id, b]));
    for (const list of perUser.values()) {
      const counts = new Map<string, number>();
      for (const b of list) {
        const category = serviceRows.get(b.service)?.category ?? '';
        counts.set(category, (counts.get(category) ?? 0) + 1);
      }
      const favourite = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
      for (const b of list) {
        const rating = finals.get(b.id)?.rating ?? '';
        if (rating === '') continue;
        (serviceRows.get(b.service)?.category === favourite ? inFavourite : elsewhere).push(Number(rating));
      }
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(inFavourite)).toBeGreaterThan(mean(elsewhere) + 0.1);
  });

  it('repeats ~1 % of reservation ids later in the file as status updates of a reserved booking', () => {
    const rowsById = new Map<string, Booking[]>();
    for (const b of bookings) push(rowsById, b.id, b);
    const updated = [...rowsById.values()].filter((rows) => rows.length > 1);
    expect(updated.length / rowsById.size).toBeGreaterThan(0.005);
    expect(updated.length / rowsById.size).toBeLessThan(0.02);
    for (const [first, later, ...rest] of updated) {
      expect(rest).toHaveLength(0);
      expect(first?.status).toBe('reserved');
      expect(['completed', 'canceled']).toContain(later?.status);
      expect({ ...later, status: '', rating: '' }).toEqual({ ...first, status: '', rating: '' });
      expect(bookings.indexOf(later as Booking)).toBeGreaterThan(bookings.indexOf(first as Booking));
    }
  });
});
