/**
 * `npm start`: builds the gateway and runs it as the Dockerfile does
 * (scripts/build.mjs), passing signals on, and restarts it when it dies.
 *
 * A gateway that exits unasked (a crash, an out-of-memory abort, a kill) is
 * started again after a delay that doubles with each quick failure (0.5 s,
 * 1 s, 2 s … up to 30 s) and starts over once a gateway has run for a
 * minute. A gateway that cannot even start (a bad configuration) fails
 * (exits by itself) `START_ATTEMPTS` times within seconds: then npm start gives up and exits
 * as it did. SIGINT or SIGTERM stops the gateway and then npm start, which
 * exits as the gateway exited; so does a gateway that was stopped by itself
 * (it exits 0 only then).
 */
import { spawn } from 'node:child_process';
import { pino } from 'pino';
import { fileURLToPath } from 'node:url';
import { buildGateway, GATEWAY_ENTRY, GATEWAY_ENV, GATEWAY_NODE_FLAGS } from './build.mjs';

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;
/** A gateway that ran this long was healthy: the next failure starts the backoff over. */
const HEALTHY_RUN_MS = 60_000;
/** A gateway that exits sooner than this failed to start. */
const STARTUP_MS = 5_000;
const START_ATTEMPTS = 3;

// The supervisor's lines in the gateway's format (pino's JSON lines, src/observability/logger.ts), told apart by
// `component`; on stderr as before, written at once (it may exit right after).
const logger = pino({ base: { component: 'npm start' } }, pino.destination({ fd: 2, sync: true }));

function log(message, level = 'warn') {
  logger[level](message);
}

// Built only when its sources changed since the last build (scripts/build.mjs).
if (await buildGateway()) log('built the gateway bundle (dist/server)', 'info');

let child;
let stopping = false;
let restartTimer;
let quickFailures = 0;
let failuresInStartup = 0;

function startGateway() {
  const startedAt = Date.now();
  child = spawn(process.execPath, [...GATEWAY_NODE_FLAGS, GATEWAY_ENTRY], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: 'inherit',
    env: { ...GATEWAY_ENV, ...process.env },
    // A process group of its own: Ctrl-C in the terminal reaches npm start only, which passes it on to the
    // gateway alone, so that the embedded PostgreSQL keeps serving the requests the gateway is finishing.
    detached: true,
  });
  child.on('exit', (code, signal) => {
    child = undefined;
    if (stopping) process.exit(code ?? (signal ? 1 : 0));
    // The gateway exits 0 only when it was asked to stop (a SIGTERM sent to it directly): not a failure to restart.
    if (code === 0) {
      log('the gateway stopped cleanly; so does npm start', 'info');
      process.exit(0);
    }
    const ranMs = Date.now() - startedAt;
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    failuresInStartup = !signal && ranMs < STARTUP_MS ? failuresInStartup + 1 : 0;
    if (failuresInStartup >= START_ATTEMPTS) {
      log(`the gateway ${how} ${START_ATTEMPTS} times within ${STARTUP_MS / 1000} s of starting; giving up`, 'error');
      process.exit(code || 1);
    }
    quickFailures = ranMs >= HEALTHY_RUN_MS ? 0 : quickFailures + 1;
    const delayMs = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.max(0, quickFailures - 1));
    log(`the gateway ${how} after ${(ranMs / 1000).toFixed(1)} s; restarting it in ${(delayMs / 1000).toFixed(1)} s`);
    restartTimer = setTimeout(startGateway, delayMs);
  });
}

function stop(signal) {
  if (stopping) return;
  stopping = true;
  clearTimeout(restartTimer);
  if (child) child.kill(signal);
  else process.exit(0);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => stop(signal));
startGateway();
