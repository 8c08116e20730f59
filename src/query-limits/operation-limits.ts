import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { complexityFromQuery, createComplexityRule } from '@pothos/plugin-complexity';
import {
  GraphQLError,
  Kind,
  Lexer,
  parse,
  Source,
  specifiedRules,
  TokenKind,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { CostContext } from './cost.ts';
import { isQueryTooComplex, queryTooComplex } from './errors.ts';
import { introspectionRules } from './introspection.ts';

/** The limits every operation is measured against before it executes (README, "Limits"). */
export interface QueryLimits {
  enabled: boolean;
  maxTokens: number;
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  /** Fields selected in all, fragments expanded. */
  maxBreadth: number;
  maxCost: number;
  maxPageSize: number;
  maxNodeIds: number;
  /** Nesting of list and object values, in the document and in the variables. */
  maxInputDepth: number;
  maxVariablesBytes: number;
}

export interface OperationRequest {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

/**
 * `valid`: parsed and validated (graphql's rules and the limits' own), and
 * within every limit. `invalid`: an ordinary GraphQL error (syntax,
 * validation), which yoga reports as usual. `rejected`: over a limit, or
 * with an argument too malformed to measure.
 */
export type OperationCheck = { kind: 'valid'; document: DocumentNode; /** The measured cost, when limits are on and the document holds one operation. */ cost?: number } | { kind: 'invalid' } | { kind: 'rejected'; errors: GraphQLError[] };

export interface OperationLimits {
  /** graphql's parse, refusing a document of more than `maxTokens` tokens (a GraphQLError, QUERY_TOO_COMPLEX). */
  parse(source: string): DocumentNode;
  /** Everything measured before execution; the compiled reads' fast path and the yoga plugin both ask this. */
  check(request: OperationRequest): OperationCheck;
  /** Whether `check` validated this document: yoga need not validate it again. */
  validated(document: DocumentNode): boolean;
}

/** Documents checked, by query text (short ones: the cache stays small). */
const DOCUMENTS_KEPT = 500;
const MAX_CACHED_QUERY_LENGTH = 4_000;
/** Costs kept per document, by variables. */
const COSTS_KEPT_PER_DOCUMENT = 32;

/** What `measureCost` found: the errors refusing the operation, and its cost when one walk measured it. */
type MeasuredCost = { errors: GraphQLError[]; cost?: number };

type DocumentCheck = { document: DocumentNode; errors: readonly GraphQLError[] } | { document: undefined; errors: readonly GraphQLError[] };

export function createOperationLimits(schema: GraphQLSchema, limits: QueryLimits, { introspection = true } = {}): OperationLimits {
  const graphqlRules = [...specifiedRules, ...introspectionRules(introspection)];
  const rules = limits.enabled ? [...graphqlRules, ...staticLimitRules(limits)] : graphqlRules;
  const costContext: CostContext = { maxPageSize: limits.maxPageSize, maxNodeIds: limits.maxNodeIds };
  const documents = new Map<string, DocumentCheck>();
  const validatedDocuments = new WeakSet<DocumentNode>();
  const costsByDocument = new WeakMap<DocumentNode, Map<string, MeasuredCost>>();

  const boundedParse = (source: string): DocumentNode => {
    if (!limits.enabled) return parse(source);
    try {
      return parse(source, { maxTokens: limits.maxTokens });
    } catch (error) {
      const counted = countTokens(source, limits.maxTokens + 1);
      if (counted <= limits.maxTokens) throw error;
      throw queryTooComplex('tokens', limits.maxTokens, counted, `The document has more than ${limits.maxTokens} tokens`);
    }
  };

  const documentCheck = (query: string): DocumentCheck => {
    let checked = documents.get(query);
    if (checked) return checked;
    try {
      const document = boundedParse(query);
      const errors = validate(schema, document, rules);
      if (errors.length === 0) validatedDocuments.add(document);
      checked = { document, errors };
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      checked = { document: undefined, errors: [error] };
    }
    if (query.length <= MAX_CACHED_QUERY_LENGTH) {
      if (documents.size >= DOCUMENTS_KEPT) documents.delete(documents.keys().next().value!);
      documents.set(query, checked);
    }
    return checked;
  };

  return {
    // The document `check` kept, when it did: yoga then executes the very document that was measured.
    parse: (source) => documents.get(source)?.document ?? boundedParse(source),
    validated: (document) => validatedDocuments.has(document),
    check({ query, variables, operationName }) {
      let variablesKey = '';
      if (limits.enabled && variables) {
        const measured = measureVariables(variables, limits);
        if (measured instanceof GraphQLError) return { kind: 'rejected', errors: [measured] };
        variablesKey = measured;
      }
      const { document, errors } = documentCheck(query);
      const overLimits = errors.filter(isQueryTooComplex);
      if (overLimits.length > 0) return { kind: 'rejected', errors: overLimits };
      if (!document || errors.length > 0) return { kind: 'invalid' };
      if (!limits.enabled) return { kind: 'valid', document };
      // The cost depends on the variables (`first: $n`): kept per document and variables, as most clients repeat both.
      const key = `${operationName ?? ''}\0${variablesKey}`;
      let costs = costsByDocument.get(document);
      if (!costs) costsByDocument.set(document, (costs = new Map()));
      let measured = costs.get(key);
      if (!measured) {
        measured = measureCost(document, variables ?? {}, operationName);
        if (costs.size >= COSTS_KEPT_PER_DOCUMENT) costs.delete(costs.keys().next().value!);
        costs.set(key, measured);
      }
      return measured.errors.length > 0 ? { kind: 'rejected', errors: measured.errors } : { kind: 'valid', document, cost: measured.cost };
    },
  };

  /** Breadth and cost, by Pothos' complexity plugin: its own walk for a document of one operation, its validation rule otherwise. */
  function measureCost(document: DocumentNode, variableValues: Record<string, unknown>, operationName: string | null | undefined): MeasuredCost {
    try {
      const operations = document.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
      if (operations.length === 1) {
        const { complexity, breadth } = complexityFromQuery(document, { schema, ctx: costContext, variables: variableValues });
        return { errors: overBudget(complexity, breadth, limits), cost: complexity };
      }
      const rule = createComplexityRule({
        context: costContext,
        variableValues,
        operationName,
        validate: ({ complexity, breadth }, reportError) => overBudget(complexity, breadth, limits).forEach(reportError),
      });
      return { errors: validate(schema, document, [rule]).filter(isQueryTooComplex) };
    } catch (error) {
      // A page or id count over its limit (from ./cost.ts), or arguments that cannot be read (an id that is
      // not one, variables that do not fit their definitions): the operation cannot run as sent, and is
      // refused with the error its execution would give.
      if (error instanceof GraphQLError) return { errors: [error] };
      throw error;
    }
  }
}

function overBudget(complexity: number, breadth: number, limits: QueryLimits): GraphQLError[] {
  const errors: GraphQLError[] = [];
  if (breadth > limits.maxBreadth) {
    errors.push(queryTooComplex('breadth', limits.maxBreadth, breadth, `The operation selects ${breadth} fields; at most ${limits.maxBreadth} are allowed`));
  }
  if (complexity > limits.maxCost) {
    errors.push(queryTooComplex('cost', limits.maxCost, complexity, `The operation may cost ${complexity} (objects its answer can hold); at most ${limits.maxCost} is allowed`));
  }
  return errors;
}

/**
 * Depth, aliases and directives (graphql-armor) and the nesting of input
 * values: they depend on the document alone, so its validation, cached by
 * query text, covers them. Each armor rule reports what it counted to
 * `onAccept`, compared here with the limit so that the error carries both.
 */
function staticLimitRules(limits: QueryLimits): ValidationRule[] {
  const within = (measure: string, limit: number, describe: (measured: number) => string) => [
    (context: ValidationContext | null, { n }: { n: number }) => {
      if (n > limit) context?.reportError(queryTooComplex(measure, limit, n, describe(n)));
    },
  ];
  const unbounded = { n: Number.POSITIVE_INFINITY, propagateOnRejection: false };
  return [
    // Introspection is left to graphql's own MaxIntrospectionDepthRule, so that GraphiQL's introspection query passes.
    maxDepthRule({
      ...unbounded,
      ignoreIntrospection: true,
      flattenFragments: true,
      onAccept: within('depth', limits.maxDepth, (depth) => `The operation nests ${depth} levels deep; at most ${limits.maxDepth} are allowed`),
    }),
    maxAliasesRule({
      ...unbounded,
      onAccept: within('aliases', limits.maxAliases, (aliases) => `The operation uses ${aliases} aliases; at most ${limits.maxAliases} are allowed`),
    }),
    maxDirectivesRule({
      ...unbounded,
      onAccept: within('directives', limits.maxDirectives, (directives) => `The operation uses ${directives} directives; at most ${limits.maxDirectives} are allowed`),
    }),
    inputDepthRule(limits.maxInputDepth),
  ];
}

/** Lists and objects nested in the document's values (arguments, variable defaults). */
function inputDepthRule(maxInputDepth: number): ValidationRule {
  return (context) => {
    let depth = 0;
    let deepest = 0;
    const enter = () => {
      depth += 1;
      deepest = Math.max(deepest, depth);
    };
    const leave = () => {
      depth -= 1;
    };
    return {
      ListValue: { enter, leave },
      ObjectValue: { enter, leave },
      Document: {
        leave: () => {
          if (deepest > maxInputDepth) {
            context.reportError(
              queryTooComplex('inputDepth', maxInputDepth, deepest, `An input value nests ${deepest} levels deep; at most ${maxInputDepth} are allowed`),
            );
          }
        },
      },
    };
  };
}

/**
 * The variables' nesting, walked without recursion (a deep JSON value must
 * not overflow the stack), then their size as JSON: the JSON, or the error.
 */
function measureVariables(variables: Record<string, unknown>, limits: QueryLimits): string | GraphQLError {
  const pending: Array<[unknown, number]> = Object.values(variables).map((value) => [value, 0]);
  while (pending.length > 0) {
    const [value, depth] = pending.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    const inner = depth + 1;
    if (inner > limits.maxInputDepth) {
      return queryTooComplex('inputDepth', limits.maxInputDepth, inner, `A variable nests more than ${limits.maxInputDepth} levels deep`);
    }
    for (const child of Object.values(value)) pending.push([child, inner]);
  }
  const json = JSON.stringify(variables);
  const bytes = Buffer.byteLength(json);
  if (bytes > limits.maxVariablesBytes) {
    return queryTooComplex('variablesBytes', limits.maxVariablesBytes, bytes, `The variables take ${bytes} bytes; at most ${limits.maxVariablesBytes} are allowed`);
  }
  return json;
}

/** Tokens in `source`, counting no further than `stopAt`; a lexical error ends the count. */
function countTokens(source: string, stopAt: number): number {
  const lexer = new Lexer(new Source(source));
  let count = 0;
  try {
    while (count < stopAt && lexer.advance().kind !== TokenKind.EOF) count += 1;
  } catch {
    // graphql's parse reports the lexical error itself.
  }
  return count;
}
