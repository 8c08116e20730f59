// PostGraphile v5 over the gateway's tables (schema `public`), for the benchmark.
// Needs Node 22+:  DATABASE_URL=postgres://… PORT=4200 <node22> bench/postgraphile/server.mjs
// `--print-schema` prints the GraphQL schema instead of serving.
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';

process.env.GRAPHILE_ENV ??= 'production'; // read when grafast loads, hence the dynamic imports
const { postgraphile } = await import('postgraphile');
const { PostGraphileAmberPreset } = await import('postgraphile/presets/amber');
const { makePgService } = await import('postgraphile/adaptors/pg');
const { grafserv } = await import('postgraphile/grafserv/node');
const { makePgSmartTagsFromFilePlugin } = await import('postgraphile/utils');

const connectionString = process.env.DATABASE_URL;
if (!connectionString) throw new Error('DATABASE_URL is required');
const port = Number(process.env.PORT ?? 4200);

const pgl = postgraphile({
  extends: [PostGraphileAmberPreset],
  // Relation names and visibility for our composite (account_id, x_id) foreign keys.
  plugins: [makePgSmartTagsFromFilePlugin(fileURLToPath(new URL('./postgraphile.tags.json5', import.meta.url)))],
  pgServices: [
    makePgService({
      connectionString,
      schemas: ['public'],
      poolConfig: { max: Number(process.env.PG_POOL_MAX ?? 10) }, // the gateway's default pool size
    }),
  ],
  grafserv: { graphqlPath: '/graphql', graphiql: false, watch: false, websockets: false },
  grafast: { explain: false },
});

if (process.argv.includes('--print-schema')) {
  const { printSchema } = await import('postgraphile/graphql');
  process.stdout.write(printSchema(await pgl.getSchema()) + '\n');
  await pgl.release();
} else {
  const serv = pgl.createServ(grafserv);
  const server = createServer();
  server.keepAliveTimeout = 30_000;
  server.on('error', (error) => { console.error(error); process.exit(1); });
  await serv.addTo(server);
  await pgl.getSchema(); // build the schema before accepting requests
  server.listen(port, '127.0.0.1', () => console.log(`postgraphile listening on http://127.0.0.1:${port}/graphql`));
  const stop = () => {
    server.close();
    server.closeAllConnections();
    Promise.resolve(pgl.release()).finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
