/**
 * The little of the WebAssembly API the SIMD kernels use (the project's TypeScript libs declare only its
 * types), and one cached compile per embedded module.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
}

const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
export const WASM_PAGE_BYTES = 65_536;

const compiled = new Map<string, object | null>();

/** The compiled module of `base64`, or null where WebAssembly (or its SIMD) is not available. */
export function compileWasm(base64: string): object | null {
  let module = compiled.get(base64);
  if (module === undefined) {
    try {
      module = api ? new api.Module(Buffer.from(base64, 'base64')) : null;
    } catch {
      module = null;
    }
    compiled.set(base64, module);
  }
  return module;
}

/** A new memory of at least `bytes` (shared memories have a fixed size: they cannot move when grown). */
export function createWasmMemory(bytes: number, shared = false): WasmMemory {
  const pages = Math.max(1, Math.ceil(bytes / WASM_PAGE_BYTES));
  return shared ? new api!.Memory({ initial: pages, maximum: pages, shared: true }) : new api!.Memory({ initial: pages });
}

/** The exports of `module` instantiated with `imports`. */
export function instantiateWasm(module: object, imports: object): Record<string, unknown> {
  return new api!.Instance(module, imports).exports;
}
