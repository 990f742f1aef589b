import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { warehouseBackends } from '../../test/support/backends.ts';
import { recordingDb } from '../../test/support/compiled-sql.ts';
import { createIngestFixture, RESERVATIONS_HEADER, SERVICES_HEADER, USERS_HEADER, type IngestFixture } from '../../test/support/ingest-fixture.ts';
import { openWarehouse } from './open-warehouse.ts';
import { ServiceRepo } from './service-repo.ts';

describe('ServiceRepo compiled SQL', () => {
  const expected = {
    sqlite: [
      'select "s"."service_id", "s"."name", "c"."category_name" as "category", "r"."region_name" as "region" from "dim_service" as "s" inner join "dim_category" as "c" on "c"."category_key" = "s"."category_key" left join "dim_region" as "r" on "r"."region_key" = "s"."region_key" order by "s"."service_key"',
      'select "category_name" from "dim_category" order by "category_name"',
      'select "region_name" from "dim_region" order by "region_name"',
      'select "r"."region_name" from "dim_user" as "u" inner join "dim_region" as "r" on "r"."region_key" = "u"."region_key" where "u"."user_id" = ?',
      'select "s"."service_key", "c"."category_name" from "dim_service" as "s" inner join "dim_category" as "c" on "c"."category_key" = "s"."category_key" limit ?',
    ],
    mysql: [
      'select `s`.`service_id`, `s`.`name`, `c`.`category_name` as `category`, `r`.`region_name` as `region` from `dim_service` as `s` inner join `dim_category` as `c` on `c`.`category_key` = `s`.`category_key` left join `dim_region` as `r` on `r`.`region_key` = `s`.`region_key` order by `s`.`service_key`',
      'select `category_name` from `dim_category` order by `category_name`',
      'select `region_name` from `dim_region` order by `region_name`',
      'select `r`.`region_name` from `dim_user` as `u` inner join `dim_region` as `r` on `r`.`region_key` = `u`.`region_key` where `u`.`user_id` = ?',
      'select `s`.`service_key`, `c`.`category_name` from `dim_service` as `s` inner join `dim_category` as `c` on `c`.`category_key` = `s`.`category_key` limit ?',
    ],
  };
  it.each(['sqlite', 'mysql'] as const)('under the %s dialect', async (dialect) => {
    const { db, statements } = recordingDb(dialect);
    const repo = new ServiceRepo(db);
    await repo.catalog();
    await repo.userRegion('U1');
    await repo.probe();
    expect(statements.map((s) => s.sql)).toEqual(expected[dialect]);
    expect(statements.map((s) => s.parameters)).toEqual([[], [], [], ['U1'], [1]]);
  });
});

describe.each(warehouseBackends())('ServiceRepo on $name', (backend) => {
  describe.skipIf(!backend.available)('queries', () => {
    let fx: IngestFixture;
    let url: string;
    beforeAll(async () => {
      url = await backend.newDatabaseUrl('service_repo');
      fx = await createIngestFixture(url);
      await fx.land(
        'users.csv',
        `${USERS_HEADER}\nu1,2023-01-01T00:00:00Z,F,1990,Busan\nu2,2023-01-01T00:00:00Z,M,1985,\nu3,2023-01-01T00:00:00Z,F,1980,Jeju\n`,
      );
      await fx.land(
        'services.csv',
        `${SERVICES_HEADER}\ns1,"Hair by Mina, Busan",hair,Busan,30000,2023-01-01T00:00:00Z\ns2,Clean Home,cleaning,,50000,2023-01-01T00:00:00Z\ns3,Nail Bar,nail,Seoul-Gangnam,20000,2023-01-01T00:00:00Z\n`,
      );
      await fx.land('reservations.csv', `${RESERVATIONS_HEADER}\nr1,u1,s1,completed,2024-01-01T10:00:00Z,5\n`);
      await fx.ingest();
    });
    afterAll(async () => {
      await fx.close();
      await backend.dropDatabase(url);
    });

    it('reads the catalog: every service with name, category and region, and every category and region name', async () => {
      const catalog = await new ServiceRepo(fx.warehouse.db).catalog();
      expect(catalog.services).toEqual([
        { serviceId: 's1', name: 'Hair by Mina, Busan', category: 'hair', region: 'Busan' },
        { serviceId: 's2', name: 'Clean Home', category: 'cleaning', region: null },
        { serviceId: 's3', name: 'Nail Bar', category: 'nail', region: 'Seoul-Gangnam' },
      ]);
      expect(catalog.categories).toEqual(['cleaning', 'hair', 'nail']);
      // Jeju has users but no service: still a known region.
      expect(catalog.regions).toEqual(['Busan', 'Jeju', 'Seoul-Gangnam']);
    });

    it("finds a user's region; undefined for an unknown user or one without a region", async () => {
      const repo = new ServiceRepo(fx.warehouse.db);
      expect(await repo.userRegion('u1')).toBe('Busan');
      expect(await repo.userRegion('u2')).toBeUndefined();
      expect(await repo.userRegion('nobody')).toBeUndefined();
    });

    it('probes the schema, and fails on a database without it', async () => {
      await new ServiceRepo(fx.warehouse.db).probe();
      const emptyUrl = await backend.newDatabaseUrl('service_repo_empty');
      const empty = await openWarehouse({ url: emptyUrl });
      try {
        await expect(new ServiceRepo(empty.db).probe()).rejects.toThrow(/dim_service/);
      } finally {
        await empty.close();
        await backend.dropDatabase(emptyUrl);
      }
    });
  });
});
