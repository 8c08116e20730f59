import { ConfigError, loadConfig, type Config } from './config.ts';
import { createDb } from './db/client.ts';
import { openDatabase } from './db/database.ts';
import { removeEmbeddedPostgresSignalHandlers } from './db/embedded.ts';
import { migrate } from './db/migrate.ts';
import { readDemoClient, seedDemo, type DemoClient } from './db/seed.ts';
import { createGateway, listen, type Gateway, type RunningServer } from './server.ts';
import { createLogger } from './observability/logger.ts';
import { startTracing } from './observability/tracing.ts';
import { STOP_SIGNALS, trackRequests } from './shutdown.ts';

function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

function printBanner(url: string, config: Config, demo: DemoClient | undefined) {
  const lines = [
    '',
    `Open Scheduling Gateway is listening on ${url}`,
    `  GraphQL and GraphiQL: ${url}/graphql`,
    `  OAuth2 token endpoint: ${url}/oauth/token`,
    '',
  ];
  if (demo && !config.databaseUrl) {
    lines.push(
      'Demo API client (all accounts; scopes read, write, admin):',
      `  client_id:     ${demo.clientId}`,
      `  client_secret: ${demo.clientSecret}`,
      '',
      'Fetch an access token:',
      `  curl -s -u '${demo.clientId}:${demo.clientSecret}' -d grant_type=client_credentials ${url}/oauth/token`,
    );
  } else {
    // Outside the embedded demo no secret is printed: logs of a real deployment are read by more people than its admins.
    if (demo) lines.push(`Demo API client: its credentials are in ${config.dataDir}/demo-client.json`, '');
    lines.push(
      'Create an API client to get a token:',
      '  npm run cli -- clients:create --name my-client --accounts all --scopes read,write',
      `  curl -s -u '<client_id>:<client_secret>' -d grant_type=client_credentials ${url}/oauth/token`,
    );
  }
  if (!config.databaseUrl) lines.push('', `Data is kept in ${config.dataDir}/ (embedded PostgreSQL).`);
  console.log(lines.join('\n'));
}

async function main() {
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.observability.logLevel });
  // Before the server listens, so that every request it serves is traced.
  const tracing = config.observability.tracing ? await startTracing(config.observability.tracing, logger) : undefined;
  const database = await openDatabase(config);
  const { db } = createDb(database.url, { bounds: config.bounds, logger });
  let gateway: Gateway | undefined;
  let requests: ReturnType<typeof trackRequests> | undefined;
  let running: RunningServer | undefined;

  let stopping = false;
  const shutdown = async (signal: string) => {
    // Ctrl-C reaches npm start and the gateway alike, and npm start passes it on: one shutdown however often asked.
    if (stopping) return;
    stopping = true;
    const seconds = config.shutdownTimeoutMs / 1000;
    const inFlight = requests?.inFlight() ?? 0;
    logger.info({ signal, inFlight, timeoutMs: config.shutdownTimeoutMs }, `${signal} received: finishing ${inFlight} request(s) in flight (at most ${seconds} s), then stopping`);
    gateway?.readiness.stopAccepting();
    // Subscriptions never finish by themselves: they end now, and their clients reconnect to another instance.
    gateway?.events.endSubscriptions();
    await running?.closeWebSockets();
    const cut = (await requests?.drain(config.shutdownTimeoutMs)) ?? 0;
    if (cut > 0) logger.warn({ cut }, `${cut} request(s) still running after ${seconds} s were cut off`);
    await gateway?.events.close();
    await gateway?.rateLimits.close();
    await db.$disconnect();
    await database.stop();
    await tracing?.shutdown();
    process.exit(0);
  };
  removeEmbeddedPostgresSignalHandlers();
  for (const signal of STOP_SIGNALS) process.on(signal, () => void shutdown(signal));

  try {
    const applied = await migrate(database.url);
    if (applied.length > 0) logger.info({ migrations: applied }, 'applied migrations');

    let demo: DemoClient | undefined;
    if (config.seedDemo && (await db.account.count()) === 0) {
      const seeded = await seedDemo(db, config.dataDir);
      logger.info({ accounts: seeded.accountIds.length }, 'seeded demo data');
      demo = seeded.client;
    } else if (config.seedDemo) {
      demo = await readDemoClient(db, config.dataDir);
    }

    // GraphiQL hands out demo tokens only in the embedded demo, whose credentials the banner prints anyway.
    gateway = await createGateway({ db, config, logger, demoClient: config.databaseUrl ? undefined : demo, tracing });
    const server = await listen(gateway, config.port, config.host);
    running = server;
    requests = trackRequests(server.server);
    printBanner(server.url, config, demo);
  } catch (error) {
    await db.$disconnect().catch(() => undefined);
    await database.stop().catch(() => undefined);
    throw error;
  }
}

main().catch((error: unknown) => {
  // One plain sentence for the person who ran npm start: what went wrong and, where it can, what to do.
  console.error(`Failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
