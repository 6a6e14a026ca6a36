/**
 * The big convolution kernels on two cores: a worker_threads worker with its
 * own (single-threaded) tfjs wasm backend computes half of each batch while
 * the main thread computes the other half, synchronously.
 *
 * Every conv kernel over a batch of n >= 2 whose work exceeds a threshold is
 * split into images [0, ceil(n/2)) (main thread, run on views of the
 * inputs: the first half of an NHWC tensor is a prefix of its memory) and
 * [ceil(n/2), n) (worker). Forward conv and Conv2DBackpropInput concatenate
 * the halves; Conv2DBackpropFilter adds the two partial filter gradients. The
 * split does NOT depend on whether the worker is running: without it (still
 * starting, one core, MASKTUNE_WASM_THREADS=1, not under Node's compiled
 * dist/, or given up on) the main thread computes both halves itself, so
 * results are the same bit for bit everywhere and stay deterministic.
 *
 * Hand-off: the worker's half of the inputs is copied into a
 * SharedArrayBuffer, the job description (sequence number, kernel, shapes,
 * attrs) is posted on a MessageChannel and the worker woken with
 * Atomics.notify; it reads the job with receiveMessageOnPort, runs the same
 * local kernel on its backend, writes its output into the shared buffer and
 * stores the job's sequence number as done; the main thread, done with its
 * own half, waits with Atomics.wait and copies the result in.
 *
 * Watchdog: the main thread waits at most max(2 s, 20x the time its own half
 * took). A worker that does not answer by then (stuck, starved, or dead while
 * the main thread's event loop was blocked) is stopped and the main thread
 * computes the second half itself; since that is the same split, the result
 * is the same bit for bit, and the rest of the run continues on one thread.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { MessageChannel, MessagePort, Worker, isMainThread } from "worker_threads";
import * as tf from "@tensorflow/tfjs";
import { conv2DBackpropFilter } from "./conv2d-backprop-filter";
import { conv2DBackpropInputFast } from "./conv2d-backprop-input";
import { convGeometry } from "./conv-info";
import { TensorInfo, backendOf, heapF32, stockKernel, view } from "./util";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

/** The kernels that are split, by name; each is run unsplit on each half. */
export const LOCAL_KERNELS: Record<string, (args: { inputs: Record<string, TensorInfo>; backend: unknown; attrs: tf.NamedAttrMap }) => TensorInfo> = {
  Conv2D: (args) => stockKernel("Conv2D")(args as never) as TensorInfo,
  FusedConv2D: (args) => stockKernel("FusedConv2D")(args as never) as TensorInfo,
  Conv2DBackpropInput: (args) => conv2DBackpropInputFast(args as never),
  Conv2DBackpropFilter: (args) => conv2DBackpropFilter(args as never),
};

/** Inputs indexed by batch (split); the others (filters, biases) go whole to both halves. */
const BATCHED: Record<string, string[]> = {
  Conv2D: ["x"], FusedConv2D: ["x"], Conv2DBackpropInput: ["dy"], Conv2DBackpropFilter: ["x", "dy"],
};

/** Multiply-adds below which a kernel is not split (~1 ms of work). */
let minMacs = 8e6;
/** For tests: split every conv kernel with a batch of 2 or more (0), or restore the default. */
export function setParallelThreshold(macs: number): void { minMacs = macs; }

// Control words in `ctrl`: [0] job sequence posted by main, [1] job sequence done
// by the worker, [2] 1 once the worker is ready, [3] 1 if the last job failed,
// [4] milliseconds the worker sleeps before each job (tests: a stalled worker).
export const CTRL = { POSTED: 0, DONE: 1, READY: 2, FAILED: 3, DELAY_MS: 4, length: 5 } as const;
const { POSTED, DONE, READY, FAILED } = CTRL;

/** The watchdog's floor (ms); see the header. */
let minWaitMs = 2000;

interface Job {
  /** Sequence number; the worker answers by storing it in ctrl[DONE]. */
  seq: number;
  kernel: string;
  inputs: Record<string, { shape: number[]; offset: number }>;
  attrs: tf.NamedAttrMap;
  /** Float32 offset of the output in `data`. */
  outOffset: number;
  /** A new, larger data buffer, when the old one was too small. */
  data?: SharedArrayBuffer;
}

interface Helper { worker: Worker; port: MessagePort; ctrl: Int32Array; data: Float32Array }
let helper: Helper | undefined;
/** Split kernel calls so far, how many had the worker compute a half, and how many it failed or timed out on. */
export const splitStats = { split: 0, onWorker: 0, fellBack: 0 };

/** Resolves once the worker is ready (false if there is none or it does not start within `ms`). */
export async function helperReady(ms = 30000): Promise<boolean> {
  const t0 = Date.now();
  while (helper && Atomics.load(helper.ctrl, READY) !== 1 && Date.now() - t0 < ms) await new Promise((r) => setTimeout(r, 20));
  return helper !== undefined && Atomics.load(helper.ctrl, READY) === 1;
}

/** Starts the worker (once; main thread only). Returns a line for the kit's description. */
export function startHelper(): string {
  if (helper) return "2 threads (conv kernels split by batch)";
  if (!isMainThread) return "";
  let disabledReason = "";
  if (process.env.MASKTUNE_WASM_THREADS === "1") disabledReason = "MASKTUNE_WASM_THREADS=1";
  else if (os.cpus().length < 2) disabledReason = "one CPU core";
  const script = path.join(__dirname, "conv-worker.js");
  if (!disabledReason && !fs.existsSync(script)) disabledReason = "worker script not compiled";
  if (disabledReason) return `1 thread (${disabledReason})`;
  const ctrl = new Int32Array(new SharedArrayBuffer(4 * CTRL.length));
  const { port1, port2 } = new MessageChannel();
  const data = new SharedArrayBuffer(4 << 20);
  const worker = new Worker(script, { workerData: { ctrl: ctrl.buffer, data, port: port2 }, transferList: [port2] });
  worker.unref();
  const hp: Helper = { worker, port: port1, ctrl, data: new Float32Array(data) };
  // A worker that dies is dropped; split kernels then compute both halves here.
  worker.on("error", (e) => console.warn(`[masktune] the second wasm thread failed: ${e.stack ?? e.message}`));
  worker.on("exit", (code) => {
    if (helper === hp) {
      console.warn(`[masktune] the second wasm thread exited (code ${code}); continuing on one thread`);
      helper = undefined;
    }
  });
  helper = hp;
  return "2 threads (conv kernels split by batch)";
}

/** For tests: the worker's control words (see CTRL), to stall or wake it. */
export function helperControlForTests(): Int32Array | undefined {
  return helper?.ctrl;
}

/** For tests: the watchdog's floor in ms (default 2000). */
export function setWatchdogFloor(ms: number): void { minWaitMs = ms; }

/** Stops the worker (stock mode, the watchdog, or tests). */
export function stopHelper(): void {
  if (!helper) return;
  void helper.worker.terminate();
  helper.port.close();
  helper = undefined;
}

function macs(name: string, inputs: Record<string, TensorInfo>, attrs: tf.NamedAttrMap): number {
  const x = name === "Conv2DBackpropInput" ? (attrs.inputShape as number[]) : inputs.x.shape;
  const f = name === "Conv2DBackpropFilter" ? (attrs.filterShape as number[]) : inputs.filter.shape;
  const g = convGeometry(x, f, { ...attrs, dilations: 1 });
  return g.batch * g.outH * g.outW * g.kH * g.kW * g.inC * g.outC;
}

const withBatch = (shape: readonly number[], n: number) => [n, ...shape.slice(1)];

/** The split version of LOCAL_KERNELS[name], as a wasm kernel function. */
export function splitKernel(name: string): tf.KernelFunc {
  const local = LOCAL_KERNELS[name];
  const batched = BATCHED[name];
  return ((args: { inputs: Record<string, TensorInfo>; backend: unknown; attrs: tf.NamedAttrMap }) => {
    const { inputs, attrs } = args;
    const backend = backendOf(args.backend);
    const n = inputs[batched[0]].shape[0];
    const dilated = name.startsWith("Conv2D") || name === "FusedConv2D" ? [attrs.dilations ?? 1].flat().some((d) => d !== 1) : false;
    if (n < 2 || dilated || macs(name, inputs, attrs) < minMacs) return local(args);
    const h = Math.ceil(n / 2);
    const halfAttrs = (m: number) => {
      const a = { ...attrs };
      if (name === "Conv2DBackpropInput") a.inputShape = withBatch(attrs.inputShape as number[], m);
      return a;
    };
    const remote = postJob(backend, name, inputs, batched, h, n, halfAttrs(n - h));
    const t0 = performance.now();
    const first = local({ inputs: mapBatched(inputs, batched, (t) => view(t, withBatch(t.shape, h))), backend, attrs: halfAttrs(h) });
    const second = remote ? waitJob(remote, Math.max(minWaitMs, 20 * (performance.now() - t0)), name) : undefined;
    splitStats.split++;
    if (second) splitStats.onWorker++;
    else if (remote) splitStats.fellBack++;
    let secondLocal: TensorInfo | undefined;
    if (!second) {
      // No worker: the same split, both halves here (copies of the second halves).
      const copies: TensorInfo[] = [];
      const tail = mapBatched(inputs, batched, (t) => {
        const c = backend.makeOutput(withBatch(t.shape, n - h), "float32");
        copies.push(c);
        return c;
      });
      for (const b of batched) heapF32(backend, tail[b]).set(heapF32(backend, inputs[b]).subarray(h * rowSize(inputs[b])));
      secondLocal = local({ inputs: tail, backend, attrs: halfAttrs(n - h) });
      copies.forEach((c) => backend.disposeData(c.dataId));
    }
    const outShape = name === "Conv2DBackpropFilter" ? first.shape : withBatch(first.shape, n);
    const out = backend.makeOutput(outShape.slice(), "float32");
    const o = heapF32(backend, out), a = heapF32(backend, first);
    const b = second ?? heapF32(backend, secondLocal!);
    if (name === "Conv2DBackpropFilter") {
      for (let i = 0; i < o.length; i++) o[i] = a[i] + b[i];
    } else {
      o.set(a);
      o.set(b, a.length);
    }
    backend.disposeData(first.dataId);
    if (secondLocal) backend.disposeData(secondLocal.dataId);
    return out;
  }) as unknown as tf.KernelFunc;
}

function rowSize(t: TensorInfo): number {
  return t.shape.slice(1).reduce((p, d) => p * d, 1);
}

function mapBatched(inputs: Record<string, TensorInfo>, batched: string[], f: (t: TensorInfo) => TensorInfo): Record<string, TensorInfo> {
  const out: Record<string, TensorInfo> = {};
  for (const [k, t] of Object.entries(inputs)) if (t) out[k] = batched.includes(k) ? f(t) : t;
  return out;
}

/** Copies the worker's inputs into shared memory and wakes it; undefined if there is no ready worker. */
function postJob(backend: BackendWasm, name: string, inputs: Record<string, TensorInfo>, batched: string[], h: number, n: number, attrs: tf.NamedAttrMap): { size: number; offset: number; seq: number } | undefined {
  const hp = helper;
  if (!hp || Atomics.load(hp.ctrl, READY) !== 1) return undefined;
  const parts: { key: string; src: Float32Array; shape: number[] }[] = [];
  for (const [key, t] of Object.entries(inputs)) {
    if (!t) continue;
    const all = heapF32(backend, t);
    if (batched.includes(key)) parts.push({ key, src: all.subarray(h * rowSize(t)), shape: withBatch(t.shape, n - h) });
    else parts.push({ key, src: all, shape: t.shape.slice() });
  }
  const geometryOut = outSize(name, inputs, attrs, n - h);
  let total = geometryOut;
  for (const p of parts) total += p.src.length;
  // Only this thread writes ctrl[POSTED]: the next sequence number follows from it.
  const job: Job = { seq: Atomics.load(hp.ctrl, POSTED) + 1, kernel: name, inputs: {}, attrs, outOffset: 0 };
  if (total > hp.data.length) {
    const data = new SharedArrayBuffer(Math.ceil(total * 1.25) * 4);
    hp.data = new Float32Array(data);
    job.data = data;
  }
  let offset = 0;
  for (const p of parts) {
    hp.data.set(p.src, offset);
    job.inputs[p.key] = { shape: p.shape, offset };
    offset += p.src.length;
  }
  job.outOffset = offset;
  hp.port.postMessage(job);
  Atomics.store(hp.ctrl, POSTED, job.seq);
  Atomics.notify(hp.ctrl, POSTED);
  return { size: geometryOut, offset, seq: job.seq };
}

function outSize(name: string, inputs: Record<string, TensorInfo>, attrs: tf.NamedAttrMap, m: number): number {
  if (name === "Conv2DBackpropFilter") return (attrs.filterShape as number[]).reduce((p, d) => p * d, 1);
  if (name === "Conv2DBackpropInput") return m * (attrs.inputShape as number[]).slice(1).reduce((p, d) => p * d, 1);
  const g = convGeometry(inputs.x.shape, inputs.filter.shape, { ...attrs, dilations: 1 });
  return m * g.outH * g.outW * g.outC;
}

/**
 * Waits up to `deadlineMs` for the worker's half: its output as a view of
 * shared memory, or undefined if the worker failed (it printed why) or did
 * not answer in time (then it is stopped for good); the caller computes the
 * half itself.
 */
function waitJob(job: { size: number; offset: number; seq: number }, deadlineMs: number, kernel: string): Float32Array | undefined {
  const hp = helper!;
  const t0 = performance.now();
  for (;;) {
    const done = Atomics.load(hp.ctrl, DONE);
    if (done === job.seq) break;
    const left = deadlineMs - (performance.now() - t0);
    if (left <= 0) {
      stopHelper();
      const [posted, done, ready, failed] = Array.from(hp.ctrl);
      console.warn(`[masktune] the second wasm thread did not answer a ${kernel} job within ${(deadlineMs / 1000).toFixed(1)} s ` +
        `(jobs posted ${posted}, done ${done}, ready ${ready}, failed ${failed}); ` +
        "stopped it and continuing on one thread (results are the same bit for bit)");
      return undefined;
    }
    Atomics.wait(hp.ctrl, DONE, done, left);
  }
  if (Atomics.load(hp.ctrl, FAILED) === 1) return undefined;
  return hp.data.subarray(job.offset, job.offset + job.size);
}

export type { Job };
