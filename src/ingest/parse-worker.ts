/**
 * Worker-thread body: parses and validates one landing file from byte chunks posted by the main thread,
 * posting validated batches back. Keeps csv-parse and validation (about half the CPU of a load) off the
 * thread that writes to the database, so the two run on separate cores.
 */
import { PassThrough } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import { toAppError } from '../shared/index.ts';
import { readValidatedBatches } from './validated-batches.ts';
import { packReservations, type MainToWorker, type WorkerToMain, type ParseWorkerData } from './parse-worker-protocol.ts';

const port = parentPort!;
const { kind, label, rules, maxRecordBytes, references } = workerData as ParseWorkerData;
const keyMap = (ids: readonly string[], keys: Int32Array): Map<string, number> => new Map(ids.map((id, i) => [id, keys[i]!]));
const input = new PassThrough({ highWaterMark: 1 << 20 });
const MAX_UNACKED_BATCHES = 4;
let unacked = 0;
let wake: (() => void) | undefined;

const post = (message: WorkerToMain): void => port.postMessage(message);

port.on('message', (message: MainToWorker) => {
  switch (message.t) {
    case 'chunk':
      if (input.write(Buffer.from(message.buf))) post({ t: 'chunkTaken' });
      else input.once('drain', () => post({ t: 'chunkTaken' }));
      break;
    case 'end':
      input.end();
      break;
    case 'ack':
      unacked--;
      wake?.();
      break;
  }
});

readValidatedBatches({
  source: input,
  kind,
  label,
  rules,
  maxRecordBytes,
  ...(references
    ? { references: { users: keyMap(references.userIds, references.userKeys), services: keyMap(references.serviceIds, references.serviceKeys) } }
    : {}),
  handlers: {
    onHeader: (v) => post({ t: 'header', header: [...v.header], extra: [...v.check.extra], index: v.check.index }),
    async onBatch(batch) {
      unacked++;
      if (batch.reservations) {
        const reservations = packReservations(batch.reservations);
        port.postMessage({ t: 'packed', reservations, rejects: batch.rejects } satisfies WorkerToMain, [reservations.ints.buffer as ArrayBuffer]);
      } else if (batch.feedback) post({ t: 'feedback', feedback: batch.feedback, rejects: batch.rejects });
      else post({ t: 'batch', dimensions: [...(batch.dimensions ?? [])], rejects: batch.rejects });
      while (unacked > MAX_UNACKED_BATCHES) await new Promise<void>((resolve) => (wake = resolve));
    },
  },
}).then(
  (summary) => post({ t: 'done', summary }),
  (error: unknown) => {
    const e = toAppError(error);
    post({ t: 'error', code: e.code, message: e.message, name: e.name });
  },
);
