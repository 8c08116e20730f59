import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Types for the operations in src/ from the gateway's committed schema (no running gateway needed), written to
 * src/gql/. `documentMode: 'string'` makes each operation a typed string, so the client needs no GraphQL library at
 * run time: it posts the text with fetch.
 */
const config: CodegenConfig = {
  schema: '../../schema.graphql',
  documents: ['src/**/*.ts', '!src/gql/**/*'],
  ignoreNoDocuments: false,
  generates: {
    './src/gql/': {
      preset: 'client',
      config: {
        documentMode: 'string',
        useTypeImports: true,
        enumsAsTypes: true,
        // The gateway's custom scalars all travel as strings: DateTime is ISO 8601 with an offset.
        scalars: {
          DateTime: 'string',
          LocalDate: 'string',
          LocalTime: 'string',
          TimeZone: 'string',
        },
        strictScalars: true,
      },
      presetConfig: { fragmentMasking: false },
    },
  },
};

export default config;
