/**
 * Resolves on the event loop's next turn, after pending I/O: long work that
 * awaits it between parts lets other requests (a token, a page) be served
 * in the meantime instead of waiting for the whole of it (issue #10).
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
