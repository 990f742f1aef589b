// Entry of a task child process started from TypeScript source (tests, tsx): register the TypeScript loader, then
// load the child module named on the command line (see task-child-process.ts). Built code runs task-child.js directly.
import { register } from 'tsx/esm/api';

register();
await import(process.argv[2]);
