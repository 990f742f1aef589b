/**
 * Vitest global set-up: one MariaDB server for the whole run, shared by every test file (each file creates its
 * own database through `backends.ts`). Its URL reaches the workers through `provide`/`inject('mariadbUrl')`.
 */
import type { TestProject } from 'vitest/node';
import { isCi } from './ci.ts';
import { findMariaDb, startMariaDb } from './mariadb-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `mysql://pickwise:pw@127.0.0.1:PORT/pickwise_test`, or null when MariaDB is not installed locally. */
    mariadbUrl: string | null;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (!findMariaDb()) {
    // CI installs mariadb-server, so a missing binary there is a broken pipeline, never a reason to skip.
    if (isCi()) {
      throw new Error(
        'MariaDB binaries (mariadbd, mariadb-install-db, mariadb-admin, mariadb) not found, and CI must not skip the MariaDB suite. Install: apt-get install -y mariadb-server',
      );
    }
    process.stderr.write(SKIP_WARNING);
    project.provide('mariadbUrl', null);
    return undefined;
  }
  const server = await startMariaDb();
  project.provide('mariadbUrl', server.url);
  return async () => {
    await server.stop();
  };
}

const SKIP_WARNING = `
################################################################################
#  WARNING: the MariaDB test suite is SKIPPED.                                 #
#  mariadbd / mariadb-install-db / mariadb-admin / mariadb were not found.     #
#  Only SQLite is being tested; CI runs both and will catch MariaDB failures.  #
#  Install the server (no systemd needed; the tests start it themselves):      #
#      apt-get install -y mariadb-server                                       #
################################################################################

`;
