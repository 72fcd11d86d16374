// src/lib/worker/handlers.test.ts imports the in-memory portal from here; the worker code is being
// reworked in another session, so this path keeps working until that import names src/lib/testing/.
export { MemoryPortal } from '../testing/memory-portal';
