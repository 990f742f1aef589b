import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RuleState } from './alerts/index.ts';

/** The file's shape: a version, for later changes, and one state per rule. */
interface StateFileContent {
  readonly version: 1;
  readonly savedAt: string;
  readonly rules: readonly RuleState[];
}

/**
 * The rule states of one evaluating process, kept in `<home>/alerts/state.json` so that a restart neither notifies
 * again what was already firing (and notified) nor forgets a firing it must later resolve. Written atomically
 * (a temporary file renamed over the old one): a crash leaves the previous or the new file, never half of one.
 * An unreadable file is moved aside (`state.json.unreadable-<time>`) and evaluation starts afresh, with a warning
 * from the caller: a damaged file must not stop serving.
 */
export class AlertStateFile {
  readonly file: string;

  constructor(home: string) {
    this.file = path.join(home, 'alerts', 'state.json');
  }

  /**
   * The saved states by rule name; empty when there is no file. `damaged` is set when the file could not be read;
   * it is then moved aside, unless `readOnly` (a command that only shows states leaves the file as it is).
   */
  async load(o: { readOnly?: boolean } = {}): Promise<{ states: Map<string, RuleState>; damaged?: { reason: string; movedTo: string | null } }> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { states: new Map() };
      throw error;
    }
    try {
      const content = JSON.parse(text) as StateFileContent;
      if (content?.version !== 1 || !Array.isArray(content.rules)) throw new Error('not a pickwise alert state file (version 1)');
      return { states: new Map(content.rules.filter((r) => typeof r?.rule === 'string' && typeof r.phase === 'string').map((r) => [r.rule, r])) };
    } catch (error) {
      const movedTo = o.readOnly === true ? null : `${this.file}.unreadable-${Date.now()}`;
      if (movedTo !== null) await rename(this.file, movedTo);
      return { states: new Map(), damaged: { reason: (error as Error).message, movedTo } };
    }
  }

  async save(states: ReadonlyMap<string, RuleState>, now: Date): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true });
    const content: StateFileContent = { version: 1, savedAt: now.toISOString(), rules: [...states.values()] };
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(content, null, 2)}\n`);
    await rename(tmp, this.file);
  }
}
