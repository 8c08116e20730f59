import { parseArgs } from 'node:util';
import { createApiClient } from './auth/api-clients.ts';
import { createSigningKeys } from './auth/keys.ts';
import { isScope } from './auth/principal.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createDb, type Db } from './db/client.ts';
import { uniqueSlug } from './db/accounts.ts';
import { openDatabase } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import { seedDemo } from './db/seed.ts';
import { isIanaTimeZone } from './scheduling/time-zone.ts';

const HELP = `Usage: npm run cli -- <command> [options]

Commands:
  accounts:create --name <name> --time-zone <IANA zone> [--json]
      Creates an account; its slug is derived from the name.
  clients:create --name <name> --accounts all|<id,id,...> --scopes <read,write,admin> [--json]
      Creates an OAuth2 API client and prints its secret (shown only once). Account ids are UUIDs
      or the global ids GraphQL returns (viewer { accounts { id } }).
  migrate
      Applies pending SQL migrations from prisma/migrations.
  seed
      Migrates, then loads the demo data and creates the demo client (empty databases only).
  keys:rotate
      Adds a new token signing key and retires the current one. Tokens it signed stay valid until
      they expire; running gateways pick up the new key within a minute.

Uses DATABASE_URL, or when it is unset the embedded PostgreSQL under DATA_DIR (the one \`npm start\` uses),
migrated first if needed.
`;

/** A mistake in how the command was called: exit code 2. */
class UsageError extends Error {}
/** A valid call the database or input data refuses: exit code 1. */
class CommandError extends Error {}

type Flags = Record<string, string | boolean | undefined>;

const FLAG_OPTIONS = {
  name: { type: 'string' },
  'time-zone': { type: 'string' },
  accounts: { type: 'string' },
  scopes: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function requireFlag(flags: Flags, name: string): string {
  const value = flags[name];
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`Missing required option --${name}`);
  return value.trim();
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function output(flags: Flags, json: unknown, text: string) {
  console.log(flags.json ? JSON.stringify(json) : text);
}

async function createAccount(db: Db, flags: Flags) {
  const name = requireFlag(flags, 'name');
  const timeZone = requireFlag(flags, 'time-zone');
  if (!isIanaTimeZone(timeZone)) throw new CommandError(`Unknown time zone "${timeZone}": use an IANA name such as Europe/London`);
  const account = await db.account.create({ data: { name, timeZone, slug: await uniqueSlug(db, name) } });
  output(flags, { id: account.id }, `Created account "${account.name}" (slug ${account.slug}, ${account.timeZone})\n  id: ${account.id}`);
}

async function createClient(db: Db, flags: Flags) {
  const name = requireFlag(flags, 'name');
  const accountsFlag = requireFlag(flags, 'accounts');
  const scopes = list(requireFlag(flags, 'scopes'));
  if (scopes.length === 0 || !scopes.every(isScope)) {
    throw new UsageError(`--scopes takes a comma-separated list of read, write, admin (got "${flags.scopes}")`);
  }
  const accounts = accountsFlag === 'all' ? 'all' : list(accountsFlag);
  if (accounts.length === 0) throw new UsageError('--accounts takes "all" or a comma-separated list of account ids');
  const client = await createApiClient(db, { name, scopes, accounts });
  output(
    flags,
    { clientId: client.clientId, clientSecret: client.clientSecret },
    [
      `Created API client "${name}" (scopes ${scopes.join(', ')}; accounts ${accounts === 'all' ? 'all' : accounts.join(', ')})`,
      `  client_id:     ${client.clientId}`,
      `  client_secret: ${client.clientSecret}`,
      'The secret is stored only hashed; keep it now, it cannot be shown again.',
    ].join('\n'),
  );
}

async function rotateKeys(db: Db, flags: Flags, config: Config) {
  const keys = await createSigningKeys(db, { tokenTtlSeconds: config.tokenTtlSeconds });
  const { kid } = await keys.rotate();
  output(flags, { kid }, `New signing key ${kid}; the previous one stays published until its tokens expire.`);
}

async function seed(db: Db, url: string, config: Config) {
  await migrate(url);
  if ((await db.account.count()) > 0) throw new CommandError('The database already has accounts; the demo data is only loaded into an empty database');
  const { accountIds, client } = await seedDemo(db, config.dataDir);
  console.log(
    [
      `Seeded ${accountIds.length} demo accounts and a demo API client (saved in ${config.dataDir}/demo-client.json)`,
      `  client_id:     ${client.clientId}`,
      `  client_secret: ${client.clientSecret}`,
    ].join('\n'),
  );
}

const COMMANDS = ['accounts:create', 'clients:create', 'keys:rotate', 'migrate', 'seed'] as const;
type Command = (typeof COMMANDS)[number];

function isCommand(value: string): value is Command {
  return (COMMANDS as readonly string[]).includes(value);
}

function parse(argv: string[]): { command: Command | 'help'; flags: Flags } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: FLAG_OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const [command, ...rest] = parsed.positionals;
  if (parsed.values.help || command === undefined || command === 'help') return { command: 'help', flags: parsed.values };
  if (!isCommand(command)) throw new UsageError(`Unknown command "${command}"`);
  if (rest.length > 0) throw new UsageError(`Unexpected argument "${rest[0]}"`);
  return { command, flags: parsed.values };
}

/** A message for errors whose cause an operator can act on. */
function describe(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'P2021') return 'The database has no tables yet; run `npm run cli -- migrate` first';
  return error instanceof Error ? error.message : String(error);
}

async function run(argv: string[]): Promise<number> {
  const { command, flags } = parse(argv);
  if (command === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  const config = loadConfig();
  // A running gateway's embedded PostgreSQL serves the CLI too.
  const database = await openDatabase(config, { shareRunning: true });
  try {
    if (command === 'migrate') {
      const applied = await migrate(database.url);
      console.log(applied.length > 0 ? `Applied migrations: ${applied.join(', ')}` : 'No pending migrations');
      return 0;
    }
    // The embedded database is this machine's own, as `npm start` would set it up.
    if (!config.databaseUrl) await migrate(database.url);
    const { db } = createDb(database.url, { poolSize: 2 });
    try {
      if (command === 'accounts:create') await createAccount(db, flags);
      else if (command === 'clients:create') await createClient(db, flags);
      else if (command === 'keys:rotate') await rotateKeys(db, flags, config);
      else await seed(db, database.url, config);
      return 0;
    } finally {
      await db.$disconnect();
    }
  } finally {
    await database.stop();
  }
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`error: ${error.message}\nRun \`npm run cli -- --help\` for usage.`);
      process.exit(2);
    }
    console.error(error instanceof ConfigError ? error.message : `error: ${describe(error)}`);
    process.exit(1);
  },
);
