// Entry of a PDF render thread (see pool.ts). Plain JavaScript so that a worker thread can start it
// without a loader; it registers tsx in this thread, then loads the TypeScript renderer.
import { register } from 'tsx/esm/api';

register();
await import('./pdf-worker-main.ts');
