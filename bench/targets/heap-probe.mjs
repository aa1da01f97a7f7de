// Preloaded into the ingress the bench's abuse phase starts (NODE_OPTIONS="--expose-gc --import <this file>"), never
// into a product process: on SIGUSR2 it collects garbage and writes the heap in use (bytes) to BENCH_HEAP_FILE, so the
// heap is compared without the garbage of the moment in it.
import { renameSync, writeFileSync } from 'node:fs';

const file = process.env.BENCH_HEAP_FILE;
if (file && typeof globalThis.gc === 'function') {
  process.on('SIGUSR2', () => {
    globalThis.gc();
    globalThis.gc();
    writeFileSync(`${file}.tmp`, String(process.memoryUsage().heapUsed));
    renameSync(`${file}.tmp`, file);
  });
}
