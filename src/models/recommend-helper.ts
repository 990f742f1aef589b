import { startWorker } from '../shared/index.ts';
import type { CsrMatrix, ModelArtifact, TopK } from './core/index.ts';

/**
 * A worker thread holding its own copy of a fitted model, answering top-k requests for lists of users in the order
 * they were asked: the second core's share of scoring many users (`recommend --all`, offline evaluation) while the
 * calling thread scores the rest. Training items in `exclude` are never recommended, as in `Recommender.recommend`.
 */
export interface RecommendHelper {
  recommend(users: Int32Array): Promise<TopK>;
  close(): Promise<void>;
}

/** What the worker is started with: the model as an artifact (copied to it) or as its encoded bytes. */
export interface RecommendHelperData {
  readonly model: ModelArtifact | Uint8Array;
  readonly exclude: CsrMatrix;
  readonly k: number;
}

/** Bytes of an artifact's buffers: what a helper copies of the model. */
export function artifactBytes(artifact: ModelArtifact): number {
  let bytes = 0;
  for (const b of Object.values(artifact.buffers)) bytes += b.byteLength;
  return bytes;
}

export function startRecommendHelper(data: RecommendHelperData): RecommendHelper {
  const worker = startWorker(import.meta.url, 'recommend-helper-worker', { workerData: data });
  const waiting: { resolve: (top: TopK) => void; reject: (error: Error) => void }[] = [];
  const failAll = (error: Error): void => {
    for (const w of waiting.splice(0)) w.reject(error);
  };
  worker.on('message', (m: TopK | { error: string }) => {
    const next = waiting.shift();
    if (!next) return;
    if ('error' in m) next.reject(new Error(`recommendation worker: ${m.error}`));
    else next.resolve(m);
  });
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`recommendation worker stopped (exit ${code})`)));
  return {
    recommend(users) {
      const answer = new Promise<TopK>((resolve, reject) => {
        waiting.push({ resolve, reject });
        worker.postMessage({ users });
      });
      // Callers ask for many batches up front and await them in turn: when one fails and the caller stops (closing the
      // helper fails the rest), the answers never awaited must not surface as unhandled rejections.
      answer.catch(() => undefined);
      return answer;
    },
    async close() {
      await worker.terminate();
    },
  };
}

/** Batches a helper is kept ahead of: enough that it never waits for a request, few enough to stay balanced. */
const HELPER_AHEAD = 2;
/** Batches this thread scores past the one due while the helper is late: what is held stays a few batches. */
const MAX_AHEAD = 8;

/**
 * Top-k lists for `count` batches of users, handed over in batch order (with the batch's number), scored by this
 * thread (`local`) and, with a helper, by its thread too, shared as they go rather than split in fixed halves: the
 * helper always has the next unclaimed batches in hand (two), and this thread scores the next unclaimed one
 * whenever the batch due next is not ready, so neither side waits for the other (the helper's start-up, the
 * caller's own work on each batch). At most MAX_AHEAD batches past the one due are held, however late the helper is.
 */
export async function* scoreBatches(o: {
  readonly count: number;
  readonly local: (batch: number) => TopK;
  readonly helper?: { recommend(batch: number): Promise<TopK> } | undefined;
}): AsyncGenerator<readonly [batch: number, top: TopK], void, undefined> {
  const { count, local, helper } = o;
  const ready = new Map<number, TopK>();
  const asked = new Map<number, Promise<TopK>>();
  const answered = new Set<number>();
  let claimed = 0;
  const topUp = (): void => {
    for (; helper && asked.size < HELPER_AHEAD && claimed < count; claimed++) {
      const batch = claimed;
      const answer = helper.recommend(batch);
      answer.then(
        () => answered.add(batch),
        () => answered.add(batch),
      );
      asked.set(batch, answer);
    }
  };
  for (let next = 0; next < count; next++) {
    topUp();
    while (!ready.has(next)) {
      const answer = asked.get(next);
      if (claimed < count && (!answer || (!answered.has(next) && claimed - next < MAX_AHEAD))) {
        const batch = claimed++;
        ready.set(batch, local(batch));
        // Lets the helper's answers in (they arrive as events), then gives it more to do.
        if (helper) await new Promise((resolve) => setImmediate(resolve));
        topUp();
      } else {
        // The batch due is the helper's (nothing left to claim, it has answered, or enough is held): wait for it.
        ready.set(next, await answer!);
        asked.delete(next);
      }
    }
    const top = ready.get(next)!;
    ready.delete(next);
    yield [next, top];
  }
}
