import { describe, expect, it } from 'vitest';
import { BackendUnavailableError } from '../shared/errors.ts';
import type { ServiceCatalogRows } from '../warehouse/index.ts';
import { ServiceCatalog } from './service-catalog.ts';

/** A model that knows s1…s5 (dense ids 0…4); the warehouse also has s6, newer than the model. */
const model = { itemIds: ['s1', 's2', 's3', 's4', 's5'], itemIndex: new Map(['s1', 's2', 's3', 's4', 's5'].map((id, i) => [id, i])) };
const rows: ServiceCatalogRows = {
  services: [
    { serviceId: 's1', name: 'Hair One', category: 'hair', region: 'Busan' },
    { serviceId: 's2', name: 'Hair Two', category: 'hair', region: 'Seoul-Gangnam' },
    { serviceId: 's3', name: 'Nails', category: 'nail', region: 'Busan' },
    { serviceId: 's4', name: 'Cleaner', category: 'cleaning', region: null },
    { serviceId: 's6', name: 'New Yoga', category: 'yoga', region: 'Busan' },
  ],
  categories: ['cleaning', 'hair', 'nail', 'tutoring', 'yoga'],
  regions: ['Busan', 'Jeju', 'Seoul-Gangnam'],
};
const catalog = ServiceCatalog.build(model, { rows, readAt: '2026-01-01T00:00:00.000Z' });

describe('ServiceCatalog', () => {
  it("labels the model's services with name and category, and null for one the warehouse lacks", () => {
    expect(catalog.label(0)).toEqual({ name: 'Hair One', category: 'hair' });
    expect(catalog.label(3)).toEqual({ name: 'Cleaner', category: 'cleaning' });
    expect(catalog.label(4)).toEqual({ name: null, category: null }); // s5: not in dim_service
  });

  it('filters by category, region, or both, in ascending dense ids, without warnings', () => {
    expect(catalog.filter({ category: 'hair' })).toEqual({ candidates: Int32Array.of(0, 1), warnings: [] });
    expect(catalog.filter({ region: 'Busan' })).toEqual({ candidates: Int32Array.of(0, 2), warnings: [] });
    expect(catalog.filter({ category: 'hair', region: 'Busan' })).toEqual({ candidates: Int32Array.of(0), warnings: [] });
  });

  it('says when a category or region is unknown, suggesting the name when only its case differs', () => {
    const typo = catalog.filter({ category: 'hiar' });
    expect(typo.candidates).toHaveLength(0);
    expect(typo.warnings).toEqual([{ code: 'UNKNOWN_CATEGORY', message: "no category 'hiar' in the warehouse (known: cleaning, hair, nail, tutoring, yoga)" }]);
    expect(catalog.filter({ region: 'busan' }).warnings).toEqual([
      { code: 'UNKNOWN_REGION', message: "no region 'busan' in the warehouse; did you mean 'Busan'?" },
    ]);
    const both = catalog.filter({ category: 'x', region: 'y' });
    expect(both.warnings.map((w) => w.code)).toEqual(['UNKNOWN_CATEGORY', 'UNKNOWN_REGION']);
  });

  it('says when known filters match no service the model knows', () => {
    const none = catalog.filter({ category: 'nail', region: 'Seoul-Gangnam' });
    expect(none.candidates).toHaveLength(0);
    expect(none.warnings).toEqual([
      {
        code: 'NO_MATCHING_SERVICE',
        message:
          "no service the model knows is in category 'nail' and in region 'Seoul-Gangnam' (it knows 1 in the category and 1 in the region); services added since the model was trained join at the next training",
      },
    ]);
    // yoga exists in the warehouse, but its only service is newer than the model; tutoring has no service at all.
    expect(catalog.filter({ category: 'yoga' }).warnings.map((w) => w.code)).toEqual(['NO_MATCHING_SERVICE']);
    expect(catalog.filter({ category: 'tutoring' }).warnings.map((w) => w.code)).toEqual(['NO_MATCHING_SERVICE']);
    expect(catalog.filter({ region: 'Jeju' }).warnings.map((w) => w.code)).toEqual(['NO_MATCHING_SERVICE']);
  });

  it('quotes at most a short prefix of a filter in its warning', () => {
    const long = 'x'.repeat(5000);
    const [warning] = catalog.filter({ category: long }).warnings;
    expect(warning!.message.length).toBeLessThan(200);
    expect(warning!.message).toContain(`'${'x'.repeat(40)}…'`);
  });

  it('cannot filter when the catalog was never read: a BackendUnavailableError with the cause', () => {
    const cause = new Error('connect ECONNREFUSED 127.0.0.1:3306');
    const unread = ServiceCatalog.unread(model, cause);
    expect(unread.readAt).toBeUndefined();
    expect(unread.label(0)).toEqual({ name: null, category: null });
    let thrown: unknown;
    try {
      unread.filter({ category: 'hair' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(BackendUnavailableError);
    expect((thrown as Error).cause).toBe(cause);
  });
});
