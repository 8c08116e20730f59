/**
 * `npm start`: builds the gateway and runs it as the Dockerfile does
 * (scripts/build.mjs), passing signals on and exiting as it exits.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildGateway, GATEWAY_ENTRY, GATEWAY_ENV, GATEWAY_NODE_FLAGS } from './build.mjs';

await buildGateway();
const child = spawn(process.execPath, [...GATEWAY_NODE_FLAGS, GATEWAY_ENTRY], {
  cwd: fileURLToPath(new URL('..', import.meta.url)),
  stdio: 'inherit',
  env: { ...GATEWAY_ENV, ...process.env },
});
// Ctrl-C reaches both processes; the gateway shuts down once however often it is asked.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
