import { PassThrough } from 'node:stream';
import type { ObjectStore } from '../storage/index.ts';
import type { LandingFileWriter, LandingSink } from './generate-landing.ts';

/** Writes generated files as objects `<prefix><fileName>` of a store, streamed (never whole in memory). */
export class StoreSink implements LandingSink {
  readonly #store: ObjectStore;
  readonly #prefix: string;
  readonly written: string[] = [];

  constructor(store: ObjectStore, prefix: string) {
    this.#store = store;
    this.#prefix = prefix === '' ? '' : prefix.replace(/\/?$/, '/');
  }

  open(fileName: string): LandingFileWriter {
    const key = `${this.#prefix}${fileName}`;
    const stream = new PassThrough({ highWaterMark: 1 << 20 });
    const upload = this.#store.put(key, stream);
    let failure: unknown;
    upload.catch((error: unknown) => {
      failure = error;
    });
    this.written.push(key);
    return {
      async write(chunk) {
        if (failure !== undefined) throw failure;
        if (!stream.write(chunk)) await new Promise<void>((resolve) => stream.once('drain', resolve));
      },
      async close() {
        stream.end();
        await upload;
      },
    };
  }
}
