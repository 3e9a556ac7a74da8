/**
 * Waiting with a deadline.
 *
 * @module
 */

/**
 * Resolves `true` once `work` settles, or `false` at `deadline` (epoch
 * milliseconds) if it has not.
 */
export function settledBy(work: Promise<unknown>, deadline: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
    work.then(
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      () => {
        clearTimeout(timer);
        resolve(true);
      },
    );
  });
}
