// Worker entry: workers do not inherit the TypeScript loader of the main thread, so register it here.
import { register } from 'tsx/esm/api';

register();
await import(new URL('./parse-worker.ts', import.meta.url).href);
