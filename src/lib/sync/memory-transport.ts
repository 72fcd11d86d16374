// src/lib/spreadsheet/worker.test.ts imports the in-memory portal from here; that folder is being
// reworked on another branch, so this path keeps working until its import names src/lib/testing/.
export { MemoryPortal } from '../testing/memory-portal';
