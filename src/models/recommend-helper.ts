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
