/** A pause that does not keep the process alive (for polling and for time limits raced against events). */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
