// Placeholder until the kernels land: registers nothing yet.
export function registerWasmTrainingKernels(): string {
  return "stock kernels";
}
