// Writes the SDL of the GraphQL schema to the committed schema.graphql, so
// every API change shows up in review. With --check, fails when the
// committed file is out of date instead of writing it.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { printSchema } from 'graphql';
import { schema } from '../src/schema/index.ts';

const schemaFile = fileURLToPath(new URL('../schema.graphql', import.meta.url));
const printed = `${printSchema(schema)}\n`;

if (process.argv.includes('--check')) {
  const committed = await readFile(schemaFile, 'utf8').catch(() => undefined);
  if (committed === printed) {
    console.log('schema.graphql is up to date');
  } else {
    if (committed === undefined) {
      console.error('schema.graphql is missing.');
    } else {
      const committedLines = committed.split('\n');
      const printedLines = printed.split('\n');
      let at = 0;
      while (committedLines[at] === printedLines[at]) at += 1;
      console.error(`schema.graphql differs from the schema, first at line ${at + 1}:`);
      console.error(`  committed: ${committedLines[at] ?? '<end of file>'}`);
      console.error(`  schema:    ${printedLines[at] ?? '<end of file>'}`);
    }
    console.error('Run `npm run schema:print` and commit the result.');
    process.exitCode = 1;
  }
} else {
  await writeFile(schemaFile, printed);
  console.log(`Wrote ${schemaFile}`);
}
