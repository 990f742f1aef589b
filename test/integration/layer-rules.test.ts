/**
 * The layer rules of eslint.config.js, as they judge new code: a file placed in a stage folder importing what its
 * layer forbids is an error, and what the layers allow is not. (`npm test` lints the real sources; this pins that
 * the rules themselves catch what they are for.)
 */
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/run-cli.ts';

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: REPO_ROOT });
});

/** The import-rule messages for `code` as if it were the file `file` (relative to the repository). */
async function importProblems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${REPO_ROOT}/${file}` });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer rules', () => {
  it.each([
    [
      'a pure stage importing the database layer',
      'src/models/x.ts',
      "import { openWarehouse } from '../warehouse/index.ts';\nexport const f = openWarehouse;",
      /models\/ may import only shared/,
    ],
    ['a pure stage doing I/O', 'src/tuning/x.ts', "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;", /tuning\/ is pure/],
    [
      'a pure stage reaching for the logger',
      'src/preprocess/x.ts',
      "import { createLogger } from '../shared/io.ts';\nexport const f = createLogger;",
      /through its index\.ts/,
    ],
    [
      'a deep import into another stage',
      'src/pipeline/x.ts',
      "import { AlsRecommender } from '../models/als/als-recommender.ts';\nexport const f = AlsRecommender;",
      /through its index\.ts/,
    ],
    [
      'the warehouse importing configuration',
      'src/warehouse/x.ts',
      "import type { Config } from '../config/index.ts';\nexport type C = Config;",
      /warehouse\/ may import only shared/,
    ],
    [
      'the warehouse importing preprocessing',
      'src/warehouse/x.ts',
      "import { reservationColumns } from '../preprocess/index.ts';\nexport const f = reservationColumns;",
      /warehouse\/ may import only shared/,
    ],
    [
      'serving importing the batch pipeline',
      'src/serve/x.ts',
      "import { runIngest } from '../pipeline/index.ts';\nexport const f = runIngest;",
      /serve\/ may import only/,
    ],
    [
      'the registry importing serving',
      'src/registry/x.ts',
      "import { buildApp } from '../serve/index.ts';\nexport const f = buildApp;",
      /registry\/ may import only/,
    ],
    [
      'the pure alert rules doing I/O',
      'src/monitoring/alerts/x.ts',
      "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;",
      /monitoring\/alerts\/ is pure/,
    ],
    [
      'the pure alert rules importing the notifiers beside them',
      'src/monitoring/alerts/x.ts',
      "import { SlackNotifier } from '../slack-notifier.ts';\nexport const f = SlackNotifier;",
      /monitoring\/alerts\/ is pure/,
    ],
    [
      'monitoring importing serving',
      'src/monitoring/x.ts',
      "import { buildApp } from '../serve/index.ts';\nexport const f = buildApp;",
      /monitoring\/ may import only/,
    ],
  ])('refuses %s', async (_what, file, code, message) => {
    const problems = await importProblems(file, code);
    expect(problems.length, problems.join('\n')).toBeGreaterThan(0);
    expect(
      problems.some((p) => message.test(p)),
      problems.join('\n'),
    ).toBe(true);
  });

  it.each([
    ['a pure stage importing shared/', 'src/models/x.ts', "import { Rng } from '../../shared/index.ts';\nexport const f = Rng;"],
    ['an I/O stage importing the logger', 'src/serve/x.ts', "import { createLogger } from '../shared/io.ts';\nexport const f = createLogger;"],
    [
      'a stage importing a lower stage through its index',
      'src/features/x.ts',
      "import { openWarehouse } from '../warehouse/index.ts';\nexport const f = openWarehouse;",
    ],
    [
      'the registry implementing the tuning port',
      'src/registry/x.ts',
      "import type { StudyStorage } from '../tuning/index.ts';\nexport type S = StudyStorage;",
    ],
    [
      'the pure alert rules importing config types',
      'src/monitoring/alerts/x.ts',
      "import type { AlertRule } from '../../config/index.ts';\nexport type R = AlertRule;",
    ],
    ['serving importing monitoring', 'src/serve/x.ts', "import { Alerting } from '../monitoring/index.ts';\nexport const f = Alerting;"],
    ['the CLI importing any stage', 'src/cli/x.ts', "import { createRuntime } from '../runtime/index.ts';\nexport const f = createRuntime;"],
  ])('allows %s', async (_what, file, code) => {
    expect(await importProblems(file, code)).toEqual([]);
  });
});
