/** Work a gateway does in the background, one run at a time (src/events/relay.ts, src/webhooks/delivery-worker.ts, …). */
export interface BackgroundWork {
  /** Runs the work now, or once more right after the run in progress, so that nothing woken for is missed. */
  wake(): void;
  /** Stops the polling and waits for the run in progress. */
  close(): Promise<void>;
}

/**
 * Runs `run` every `pollMs` and whenever woken, never two at once. `run` is
 * told whether the work was closed meanwhile (to stop between batches) and
 * handles its own errors: the next poll is the retry.
 */
export function startBackgroundWork(pollMs: number, run: (isClosed: () => boolean) => Promise<void>): BackgroundWork {
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;
  const isClosed = () => closed;
  const drain = async () => {
    do {
      again = false;
      await run(isClosed);
    } while (again && !closed);
  };
  const wake = () => {
    if (closed) return;
    if (running) {
      again = true;
      return;
    }
    running = drain().finally(() => (running = undefined));
  };
  const poll = setInterval(wake, pollMs);
  poll.unref();
  return {
    wake,
    close: async () => {
      closed = true;
      clearInterval(poll);
      await running;
    },
  };
}
