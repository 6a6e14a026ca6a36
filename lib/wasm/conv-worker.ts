/**
 * The second thread of lib/wasm/parallel.ts: its own single-threaded tfjs wasm
 * backend, running one half of a split conv kernel per job. Started by
 * parallel.ts with workerData { ctrl, data, port }; not for direct use.
 */
import { MessagePort, receiveMessageOnPort, workerData } from "worker_threads";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import type { Job } from "./parallel";
import { CTRL, LOCAL_KERNELS } from "./parallel";
import { backendOf, captureStockKernels, heapF32 } from "./util";

const { POSTED, DONE, READY, FAILED, DELAY_MS } = CTRL;

async function main(): Promise<void> {
  const ctrl = new Int32Array(workerData.ctrl as SharedArrayBuffer);
  const port = workerData.port as MessagePort;
  let data = new Float32Array(workerData.data as SharedArrayBuffer);
  await tf.setBackend("wasm");
  await tf.ready();
  captureStockKernels(["Conv2D", "FusedConv2D", "Conv2DBackpropInput", "Transpose", "Reverse", "PadV2", "Slice"]);
  const backend = backendOf(tf.backend());
  Atomics.store(ctrl, READY, 1);
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  let last = 0; // sequence number of the last job answered
  for (;;) {
    // Wait until a new job is posted. The loop re-checks, and the answer is
    // the sequence number carried by the message itself, so an early return
    // of Atomics.wait can never make us answer one job with another's number.
    while (Atomics.load(ctrl, POSTED) === last) Atomics.wait(ctrl, POSTED, last);
    const delay = Atomics.load(ctrl, DELAY_MS);
    if (delay > 0) Atomics.wait(sleeper, 0, 0, delay);
    let msg = receiveMessageOnPort(port);
    while (!msg) msg = receiveMessageOnPort(port);
    const job = msg.message as Job;
    if (job.data) data = new Float32Array(job.data);
    const owned: tf.TensorInfo[] = [];
    try {
      const inputs: Record<string, tf.TensorInfo> = {};
      for (const [key, { shape, offset }] of Object.entries(job.inputs)) {
        const t = backend.makeOutput(shape, "float32");
        owned.push(t);
        heapF32(backend, t).set(data.subarray(offset, offset + tf.util.sizeFromShape(shape)));
        inputs[key] = t;
      }
      const out = LOCAL_KERNELS[job.kernel]({ inputs, backend, attrs: job.attrs });
      owned.push(out);
      data.set(heapF32(backend, out), job.outOffset);
      Atomics.store(ctrl, FAILED, 0);
    } catch (e) {
      console.error("[masktune] kit wasm conv worker:", e);
      Atomics.store(ctrl, FAILED, 1);
    } finally {
      for (const t of owned) backend.disposeData(t.dataId);
    }
    last = job.seq;
    Atomics.store(ctrl, DONE, job.seq);
    Atomics.notify(ctrl, DONE);
  }
}

void main();
