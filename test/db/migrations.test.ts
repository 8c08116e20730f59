import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { adminQuery } from '../support/admin.ts';
import { migrate, migrationsDir } from '../../src/db/migrate.ts';
import { databaseUrl } from '../support/database-url.ts';

const schemaFile = fileURLToPath(new URL('../../prisma/schema.prisma', import.meta.url));

interface PrismaField {
  name: string;
  column: string;
  type: string;
  /** The database type of an `Unsupported("…")` field. */
  unsupported: string | undefined;
  optional: boolean;
  list: boolean;
  nativeType: string | undefined;
}

interface PrismaModel {
  name: string;
  table: string;
  fields: PrismaField[];
}

/**
 * The models of schema.prisma with their scalar and enum fields (relation
 * fields have no column of their own), read straight from the file.
 */
function parsePrismaSchema(source: string): { models: PrismaModel[]; enums: Set<string> } {
  const blocks = [...source.matchAll(/^(model|enum)\s+(\w+)\s*\{([\s\S]*?)^\}/gm)];
  const enums = new Set(blocks.filter((block) => block[1] === 'enum').map((block) => block[2]!));
  const modelNames = new Set(blocks.filter((block) => block[1] === 'model').map((block) => block[2]!));
  const models = blocks
    .filter((block) => block[1] === 'model')
    .map(([, , name, body]) => {
      const lines = body!
        .split('\n')
        .map((line) => line.replace(/\/\/.*$/, '').trim())
        .filter((line) => line !== '');
      const table = lines.map((line) => /^@@map\("([^"]+)"\)/.exec(line)?.[1]).find(Boolean) ?? name!;
      const fields = lines
        .filter((line) => !line.startsWith('@@'))
        .map((line) => {
          const [, fieldName, type, unsupported, modifier, attributes] = /^(\w+)\s+(\w+)(?:\("([^"]+)"\))?(\[\]|\?)?\s*(.*)$/.exec(line)!;
          return {
            name: fieldName!,
            column: /@map\("([^"]+)"\)/.exec(attributes!)?.[1] ?? fieldName!,
            type: type!,
            unsupported,
            optional: modifier === '?',
            list: modifier === '[]',
            nativeType: /@db\.(\w+)/.exec(attributes!)?.[1],
          };
        })
        .filter((field) => !modelNames.has(field.type));
      return { name: name!, table, fields };
    });
  return { models, enums };
}

/** The information_schema data_type (and udt_name) a Prisma field maps to. */
function expectedColumnType(field: PrismaField, enums: Set<string>): { dataType: string; udtName: string } {
  const element = ((): { dataType: string; udtName: string } => {
    if (enums.has(field.type)) return { dataType: 'USER-DEFINED', udtName: field.type };
    if (field.unsupported) return { dataType: field.unsupported, udtName: field.unsupported };
    switch (field.nativeType) {
      case 'Uuid':
        return { dataType: 'uuid', udtName: 'uuid' };
      case 'Timestamptz':
        return { dataType: 'timestamp with time zone', udtName: 'timestamptz' };
      case 'Time':
        return { dataType: 'time without time zone', udtName: 'time' };
      case 'Date':
        return { dataType: 'date', udtName: 'date' };
      case 'Text':
        return { dataType: 'text', udtName: 'text' };
      case 'VarChar':
        return { dataType: 'character varying', udtName: 'varchar' };
      case 'SmallInt':
        return { dataType: 'smallint', udtName: 'int2' };
      case undefined:
        break;
      default:
        throw new Error(`No expectation for @db.${field.nativeType}`);
    }
    switch (field.type) {
      case 'String':
        return { dataType: 'text', udtName: 'text' };
      case 'Int':
        return { dataType: 'integer', udtName: 'int4' };
      case 'Boolean':
        return { dataType: 'boolean', udtName: 'bool' };
      case 'Json':
        return { dataType: 'jsonb', udtName: 'jsonb' };
      case 'BigInt':
        return { dataType: 'bigint', udtName: 'int8' };
      case 'Float':
        return { dataType: 'double precision', udtName: 'float8' };
      case 'Decimal':
        return { dataType: 'numeric', udtName: 'numeric' };
      case 'Bytes':
        return { dataType: 'bytea', udtName: 'bytea' };
      case 'DateTime':
        return { dataType: 'timestamp without time zone', udtName: 'timestamp' };
      default:
        throw new Error(`No expectation for Prisma type ${field.type}`);
    }
  })();
  return field.list ? { dataType: 'ARRAY', udtName: `_${element.udtName}` } : element;
}

describe('migrate', () => {
  const name = `gateway_migrations_${randomUUID().replaceAll('-', '')}`;
  let url: string;
  let client: pg.Client;
  let firstRun: string[];

  beforeAll(async () => {
    await adminQuery(`CREATE DATABASE ${name}`);
    url = databaseUrl(inject('adminDatabaseUrl'), name);
    firstRun = await migrate(url);
    client = new pg.Client({ connectionString: url });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  async function migrationFolders(): Promise<string[]> {
    const entries = await readdir(migrationsDir, { withFileTypes: true });
    return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  }

  it('applies every migration folder, in name order, to an empty database', async () => {
    expect(firstRun).toEqual(await migrationFolders());
    expect(firstRun.length).toBeGreaterThan(0);
  });

  it('records each migration in _prisma_migrations with the sha256 of its migration.sql', async () => {
    const { rows } = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null }>(
      'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY migration_name',
    );
    const expected = await Promise.all(
      (await migrationFolders()).map(async (folder) => ({
        migration_name: folder,
        checksum: createHash('sha256')
          .update(await readFile(path.join(migrationsDir, folder, 'migration.sql'), 'utf8'))
          .digest('hex'),
      })),
    );
    expect(rows.map(({ migration_name, checksum }) => ({ migration_name, checksum }))).toEqual(expected);
    for (const row of rows) {
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.rolled_back_at).toBeNull();
    }
  });

  it('applies nothing when run again', async () => {
    const countBefore = (await client.query('SELECT count(*)::int AS n FROM "_prisma_migrations"')).rows[0].n;
    expect(await migrate(url)).toEqual([]);
    const countAfter = (await client.query('SELECT count(*)::int AS n FROM "_prisma_migrations"')).rows[0].n;
    expect(countAfter).toBe(countBefore);
  });

  it('creates a table with a compatible column for every model and scalar field of schema.prisma', async () => {
    const { models, enums } = parsePrismaSchema(await readFile(schemaFile, 'utf8'));
    expect(models.map((model) => model.table)).toContain('agents');
    expect(models.flatMap((model) => model.fields).length).toBeGreaterThan(models.length * 3);
    const { rows } = await client.query<{ table_name: string; column_name: string; data_type: string; udt_name: string; is_nullable: 'YES' | 'NO' }>(
      `SELECT table_name, column_name, data_type, udt_name, is_nullable
         FROM information_schema.columns WHERE table_schema = 'public'`,
    );
    const columns = new Map(rows.map((row) => [`${row.table_name}.${row.column_name}`, row]));

    const problems: string[] = [];
    for (const model of models) {
      for (const field of model.fields) {
        const where = `${model.name}.${field.name} (${model.table}.${field.column})`;
        const column = columns.get(`${model.table}.${field.column}`);
        if (!column) {
          problems.push(`${where}: no such column`);
          continue;
        }
        const expected = expectedColumnType(field, enums);
        if (column.data_type !== expected.dataType || column.udt_name !== expected.udtName) {
          problems.push(`${where}: expected ${expected.dataType} (${expected.udtName}), found ${column.data_type} (${column.udt_name})`);
        }
        const nullable = column.is_nullable === 'YES';
        if (nullable !== field.optional) {
          problems.push(`${where}: expected ${field.optional ? 'NULL' : 'NOT NULL'}, found ${nullable ? 'NULL' : 'NOT NULL'}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('creates a Postgres enum with the same values for every enum of schema.prisma', async () => {
    const source = await readFile(schemaFile, 'utf8');
    const declared = Object.fromEntries(
      [...source.matchAll(/^enum\s+(\w+)\s*\{([\s\S]*?)^\}/gm)].map(([, name, body]) => [
        name!,
        body!.split('\n').map((line) => line.replace(/\/\/.*$/, '').trim()).filter((line) => line !== ''),
      ]),
    );
    const { rows } = await client.query<{ name: string; labels: string[] }>(
      `SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
         FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname`,
    );
    const actual = Object.fromEntries(rows.map((row) => [row.name, row.labels]));
    for (const [name, values] of Object.entries(declared)) expect(actual[name], name).toEqual(values);
  });
});
