/**
 * A concurrency limit for async work: at most `concurrency` tasks run at
 * once, the rest wait and start in the order they were submitted.
 */
export type Limit = <T>(task: () => Promise<T>) => Promise<T>;

export function limiter(concurrency: number): Limit {
  let running = 0;
  const waiting: (() => void)[] = [];
  // A finishing task hands its slot straight to the next waiter, so a newcomer cannot take it in between.
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running < concurrency) running++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      release();
    }
  };
}
