// BullMQ's sandbox child imports its processor file; from TypeScript source (under tsx or vitest) register the
// TypeScript loader first. Compiled (dist/), the worker points BullMQ at bullmq-sandbox-processor.js directly.
import { register } from 'tsx/esm/api';

register();
const { default: processor } = await import('./bullmq-sandbox-processor.ts');
export default processor;
