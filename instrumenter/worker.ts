/**
 * Build worker: instruments files sent by buildWorkspace (see build.ts, runJobs) off the main
 * thread. Loaded from the compiled instrumenter folder; bundles without this file build in-process.
 */
import { parentPort } from 'node:worker_threads';
import { instrumentFile } from './transform';
import type { Job } from './build';

parentPort?.on('message', (job: Job) => {
  const r = instrumentFile(job.file, job.text, job.mode, job.options, { esm: job.esm, hash: job.hash, outName: `${job.hash}.js` });
  parentPort!.postMessage({ index: job.index, code: r.code, table: r.table, errors: r.errors });
});
