/**
 * A worker thread that runs one feature shard of tree growing (shard.ts) over SharedArrayBuffers.
 * The trainer is synchronous, so the two threads meet through Atomics on a small control array:
 * ctl[0] = number of the job posted (-1 = stop), ctl[1] = number of the job done, ctl[2] = state
 * (0 starting, 1 ready, -1 failed). The worker receives the shard's class as source text, so it
 * runs the very same code as the main thread whatever loader runs the TypeScript.
 */
import { Worker } from 'node:worker_threads';
import { HistShard, type ShardData } from './shard.ts';

/** spins (Atomics.load) before sleeping in Atomics.wait: jobs come back to back while a tree grows */
const SPIN = 20_000;

function workerSource(): string {
  return `'use strict';
var __name = (t) => t;
var __defProp = Object.defineProperty;
var __publicField = (o, k, v) => (__defProp(o, typeof k !== 'symbol' ? k + '' : k, { enumerable: true, configurable: true, writable: true, value: v }), v);
const HistShard = (${HistShard.toString()});
const { workerData } = require('node:worker_threads');
const ctl = workerData.ctl;
let seen = 0;
let shard;
try {
  shard = new HistShard(workerData.data);
  Atomics.store(ctl, 2, 1);
  Atomics.notify(ctl, 2);
} catch (e) {
  Atomics.store(ctl, 2, -1);
  Atomics.notify(ctl, 2);
  throw e;
}
for (;;) {
  let spins = 0;
  let v = Atomics.load(ctl, 0);
  while (v === seen) {
    if (++spins > ${SPIN}) Atomics.wait(ctl, 0, seen, 1000);
    v = Atomics.load(ctl, 0);
  }
  if (v < 0) break;
  seen = v;
  try {
    shard.run();
  } catch (e) {
    Atomics.store(ctl, 2, -1);
    Atomics.store(ctl, 1, seen);
    Atomics.notify(ctl, 1);
    throw e;
  }
  Atomics.store(ctl, 1, seen);
  Atomics.notify(ctl, 1);
}
`;
}

export class ShardWorker {
  private seq = 0;
  private constructor(
    private readonly worker: Worker,
    private readonly ctl: Int32Array,
  ) {}

  /** Starts a worker for `data` (its typed arrays on SharedArrayBuffers); null if it cannot start. */
  static start(data: ShardData, timeoutMs = 10_000): ShardWorker | null {
    const ctl = new Int32Array(new SharedArrayBuffer(16));
    let worker: Worker;
    try {
      worker = new Worker(workerSource(), { eval: true, workerData: { data, ctl }, stdout: false, stderr: false });
    } catch {
      return null;
    }
    worker.unref();
    worker.on('error', () => {
      Atomics.store(ctl, 2, -1);
    });
    Atomics.wait(ctl, 2, 0, timeoutMs);
    if (Atomics.load(ctl, 2) !== 1) {
      void worker.terminate();
      return null;
    }
    return new ShardWorker(worker, ctl);
  }

  /** Posts the job now in the shared job array. */
  post(): void {
    this.seq++;
    Atomics.store(this.ctl, 0, this.seq);
    Atomics.notify(this.ctl, 0);
  }

  /** Waits for the last job posted; throws if the worker failed. */
  wait(): void {
    const { ctl, seq } = this;
    let spins = 0;
    for (;;) {
      const v = Atomics.load(ctl, 1);
      if (v === seq) break;
      if (Atomics.load(ctl, 2) === -1) throw new Error('gbdt: histogram worker failed');
      if (++spins > SPIN) Atomics.wait(ctl, 1, v, 1000);
    }
    if (Atomics.load(ctl, 2) === -1) throw new Error('gbdt: histogram worker failed');
  }

  stop(): void {
    Atomics.store(this.ctl, 0, -1);
    Atomics.notify(this.ctl, 0);
    void this.worker.terminate();
  }
}
