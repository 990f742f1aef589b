import { WorkerPool } from '../core/worker-pool.ts';
import type { DenseWorkspace, GemmArgs } from './simd/gemm-update.ts';

/**
 * Runs one phase of updates (a list of independent kernel calls) on the calling thread and, when the workspace
 * is shared WebAssembly memory, on worker threads too: every call's rows are split into equal bands, one per
 * thread. Each element of C is still computed by one call in the same order, so the result does not depend on
 * the thread count.
 */
export interface GemmRunner {
  readonly threads: number;
  run(phase: readonly GemmArgs[]): Promise<void>;
  close(): Promise<void>;
}

/** Rows of a band are a multiple of this (the kernel's register block, and whole cache lines of C). */
const BAND = 8;

export function createGemmRunner(ws: DenseWorkspace, threads: number): GemmRunner {
  const memory = ws.memory;
  if (threads <= 1 || memory === undefined) {
    return {
      threads: 1,
      run: (phase) => {
        for (const args of phase) ws.gemmUpdate(args);
        return Promise.resolve();
      },
      close: () => Promise.resolve(),
    };
  }
  const pool = new WorkerPool<readonly GemmArgs[][], null>(import.meta.url, 'ease-worker', threads - 1, { memory });
  return {
    threads,
    async run(phase) {
      const bands: GemmArgs[][] = Array.from({ length: threads }, () => []);
      for (const args of phase) {
        const per = Math.ceil(args.m / threads / BAND) * BAND;
        for (let t = 0; t < threads; t++) {
          const from = t * per;
          const rows = Math.min(per, args.m - from);
          if (rows > 0) bands[t]!.push({ ...args, c: args.c + from * args.ldc, a: args.a + from * args.lda, m: rows });
        }
      }
      const others = pool.start(bands.slice(1));
      for (const args of bands[0]!) ws.gemmUpdate(args);
      await others;
    },
    close: () => pool.close(),
  };
}
