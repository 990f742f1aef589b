// Worker entry from source: workers do not inherit the main thread's TypeScript loader, so register it here.
import { register } from 'tsx/esm/api';

register();
await import(new URL('./als-worker.ts', import.meta.url).href);
