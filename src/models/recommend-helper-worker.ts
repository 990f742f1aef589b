/** Worker-thread body of {@link startRecommendHelper}: the model rebuilt from its artifact, answering lists of users. */
import { parentPort, workerData } from 'node:worker_threads';
import { recommenderFromArtifact } from './catalog.ts';
import { decodeArtifact } from './core/index.ts';
import type { RecommendHelperData } from './recommend-helper.ts';

const { model: given, exclude, k } = workerData as RecommendHelperData;
const model = recommenderFromArtifact(given instanceof Uint8Array ? decodeArtifact(given) : given);
const port = parentPort!;

port.on('message', ({ users }: { users: Int32Array }) => {
  try {
    const top = model.recommend(users, { k, exclude });
    port.postMessage({ ids: top.ids, scores: top.scores, k: top.k }, [top.ids.buffer as ArrayBuffer, top.scores.buffer as ArrayBuffer]);
  } catch (error) {
    port.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
});
