/** Worker-thread body for {@link writeAllRecommendations}: the same model, decoded from shared bytes, answering batches. */
import { parentPort, workerData } from 'node:worker_threads';
import { recommenderFromArtifact, decodeArtifact, type CsrMatrix } from '../models/index.ts';

const { modelBytes, seen, k } = workerData as { modelBytes: Uint8Array; seen: CsrMatrix; k: number };
const model = recommenderFromArtifact(decodeArtifact(modelBytes));
const port = parentPort!;

port.on('message', ({ start, count }: { start: number; count: number }) => {
  try {
    const users = new Int32Array(count);
    for (let i = 0; i < count; i++) users[i] = start + i;
    const top = model.recommend(users, { k, exclude: seen });
    port.postMessage({ ids: top.ids, scores: top.scores, k: top.k }, [top.ids.buffer as ArrayBuffer, top.scores.buffer as ArrayBuffer]);
  } catch (error) {
    port.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
});
