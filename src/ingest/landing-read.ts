import { createHash } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import type { ObjectStore } from '../storage/index.ts';

/** What one read of a landing object saw: the hash and size of exactly the bytes handed to the parser. */
export interface LandingReadResult {
  readonly sha256: string;
  readonly bytes: number;
}

/** One read of a landing object, feeding the parser, a SHA-256 and a raw backup from the same bytes. */
export interface LandingRead {
  /** The object's bytes for the parser. The parser may stop early (a rejected header): the read goes on. */
  readonly source: Readable;
  /** Settles when every byte is hashed and the backup written to `backupKey`. */
  readonly done: Promise<LandingReadResult>;
  /** Stops the read (the load failed); `done` then rejects. */
  abort(error: Error): void;
}

/**
 * Reads `key` once: each chunk goes to the SHA-256, to a backup object written at `backupKey` and to the parser,
 * so the ledger's hash, the raw backup and the loaded rows all come from the same bytes, even when the landing
 * object is replaced while it is read. The slower of the backup and the parser paces the read.
 */
export async function readLandingOnce(store: ObjectStore, key: string, backupKey: string): Promise<LandingRead> {
  const object = await store.get(key);
  const hash = createHash('sha256');
  const backup = new PassThrough({ highWaterMark: 1 << 20 });
  const parser = new PassThrough({ highWaterMark: 1 << 20 });
  // A read that fails before the parser or the backup's upload has started must not crash the process: they
  // see the stream `errored` when they start.
  parser.on('error', () => undefined);
  backup.on('error', () => undefined);
  const written = store.put(backupKey, backup);
  let bytes = 0;
  let waiting = 0;
  const resumeWhenDrained = (stream: PassThrough): void => {
    waiting++;
    object.pause();
    const resume = (): void => {
      stream.off('drain', resume);
      stream.off('close', resume);
      if (--waiting === 0) object.resume();
    };
    stream.on('drain', resume);
    stream.on('close', resume);
  };
  object.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    bytes += chunk.length;
    if (!backup.write(chunk)) resumeWhenDrained(backup);
    // A parser that stopped (file rejected as a whole) no longer takes bytes; the hash and backup still do.
    if (!parser.destroyed && !parser.writableEnded && !parser.write(chunk)) resumeWhenDrained(parser);
  });
  const read = new Promise<void>((resolve, reject) => {
    object.once('end', () => {
      backup.end();
      if (!parser.destroyed) parser.end();
      resolve();
    });
    object.once('error', (error) => {
      backup.destroy(error);
      parser.destroy(error);
      reject(error);
    });
  });
  const done = Promise.all([read, written]).then(() => ({ sha256: hash.digest('hex'), bytes }));
  done.catch(() => undefined); // observed by the caller; never an unhandled rejection
  return {
    source: parser,
    done,
    abort(error) {
      object.destroy(error);
    },
  };
}
