import { startWorker, AppError, ErrorCode, FileRejectedError, type ErrorCode as ErrorCodeT } from '../shared/index.ts';
import type { CsvReadSummary } from './csv-records.ts';
import { parseWorkerData, unpackReservations, type MainToWorker, type WorkerToMain } from './parse-worker-protocol.ts';
import type { ValidatedBatchOptions } from './validated-batches.ts';

/** Byte chunks in flight to the worker before the reader waits. */
const MAX_CHUNKS_IN_FLIGHT = 4;

/**
 * Same contract as {@link readValidatedBatches}, with parsing and validation in a worker thread: the main
 * thread only moves bytes in and batches out, and spends its time writing to the database.
 */
export function readValidatedBatchesInWorker(options: ValidatedBatchOptions): Promise<CsvReadSummary> {
  const { source, handlers, references } = options;
  if (source.errored || source.destroyed) return Promise.reject(source.errored ?? new Error('the input stream was closed before it was read'));
  const workerData = parseWorkerData({ kind: options.kind, label: options.label, rules: options.rules, maxRecordBytes: options.maxRecordBytes, references });
  // A bounded old generation makes V8 collect early (peak memory of a load stays low; room is added for the key
  // maps). The young generation must hold a batch in flight: at 16 MB, scavenges took a third of the thread.
  const ids = (references?.users.size ?? 0) + (references?.services.size ?? 0);
  const resourceLimits = { maxYoungGenerationSizeMb: 32, maxOldGenerationSizeMb: 64 + Math.ceil((ids * 200) / (1 << 20)) };
  const worker = startWorker(import.meta.url, 'parse-worker', { workerData, resourceLimits });
  const send = (message: MainToWorker, transfer?: ArrayBuffer[]): void => worker.postMessage(message, transfer);
  return new Promise<CsvReadSummary>((resolve, reject) => {
    let settled = false;
    let chunksInFlight = 0;
    let bytes = 0;
    let chain: Promise<void> = Promise.resolve();
    const finish = (error: unknown, summary?: CsvReadSummary): void => {
      if (settled) return;
      settled = true;
      source.destroy();
      void worker.terminate();
      if (error !== undefined) reject(error);
      else resolve(summary!);
    };
    const enqueue = (work: () => void | Promise<void>): void => {
      chain = chain.then(() => (settled ? undefined : work())).catch((error: unknown) => finish(error));
    };

    worker.on('message', (message: WorkerToMain) => {
      switch (message.t) {
        case 'chunkTaken':
          chunksInFlight--;
          if (chunksInFlight < MAX_CHUNKS_IN_FLIGHT && source.isPaused()) source.resume();
          break;
        case 'header':
          enqueue(() =>
            handlers.onHeader({ header: message.header, check: { index: message.index, extra: message.extra, missing: [], suspectedDelimiter: undefined } }),
          );
          break;
        case 'batch':
          enqueue(async () => {
            await handlers.onBatch({ dimensions: message.dimensions, rejects: message.rejects });
            send({ t: 'ack' });
          });
          break;
        case 'feedback':
          enqueue(async () => {
            await handlers.onBatch({ feedback: message.feedback, rejects: message.rejects });
            send({ t: 'ack' });
          });
          break;
        case 'packed':
          enqueue(async () => {
            await handlers.onBatch({ reservations: unpackReservations(message.reservations), rejects: message.rejects });
            send({ t: 'ack' });
          });
          break;
        case 'done':
          enqueue(() => finish(undefined, message.summary));
          break;
        case 'error': {
          const error =
            message.code === ErrorCode.FILE_REJECTED
              ? new FileRejectedError(message.message)
              : new AppError({ code: message.code as ErrorCodeT, httpStatus: 500, expected: false }, message.message);
          enqueue(() => finish(error));
          break;
        }
      }
    });
    worker.on('error', (error) => finish(error));
    worker.on('exit', (code) =>
      finish(new AppError({ code: ErrorCode.INTERNAL, httpStatus: 500, expected: false }, `the parse worker stopped unexpectedly (exit ${code})`)),
    );

    source.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      options.onProgress?.(bytes);
      // The chunk may be shared (the same bytes go to the hash and the raw backup), so it is copied into memory of
      // its own, which is then transferred rather than cloned.
      const buf = new ArrayBuffer(chunk.length);
      new Uint8Array(buf).set(chunk);
      chunksInFlight++;
      send({ t: 'chunk', buf }, [buf]);
      if (chunksInFlight >= MAX_CHUNKS_IN_FLIGHT) source.pause();
    });
    source.on('end', () => send({ t: 'end' }));
    source.on('error', (error) => finish(error));
  });
}
