import {
  getArgumentValues,
  getDirectiveValues,
  getVariableValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  isObjectType,
  Kind,
  getNamedType,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type InlineFragmentNode,
  type FragmentSpreadNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../query-limits/cost.ts';
import { accountScopeCondition } from '../db/scope.ts';
import { sortFieldsOf, MAX_SORT_KEYS, type SortPath } from '../schema/common.ts';
import { decodeId } from '../schema/global-id.ts';
import { inputIssues } from '../schema/input-guard.ts';
import { fieldPlan, hopAlong, snakeCase, tableOf, Unsupported, type FieldPlan, type PrismaOrder } from './catalog.ts';

/**
 * Compiles a read-only GraphQL operation into one SQL statement that returns
 * the whole response body, built by PostgreSQL (`row_to_json`, `string_agg`),
 * in the bytes graphql-js would print. Only the happy path is compiled: any
 * field, argument or situation the compiler does not know (errors included)
 * yields `undefined`, and the operation runs through the resolvers instead.
 * The differential tests hold the two paths to the same answers.
 */

export interface CompileRequest {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
  /** The principal's accounts, narrowed by a list's `accountIds`; throws when the list may not be served. */
  accountsFor(accountIds: readonly string[] | null | undefined): readonly string[];
  /** Whether the principal has this scope (root fields need `read`). */
  hasScope(scope: 'read'): boolean;
}

export interface CompiledRead {
  sql: string;
  params: unknown[];
  /**
   * Whether the statement may be prepared and kept: true when it reads rows
   * by primary key only (`node`). PostgreSQL switches a kept statement to a
   * generic plan, which for a list ignores whose accounts it reads: planned
   * for the large tenants, a list of a small one then scans the whole
   * `starts_at` index (measured: 2.7 s on 1M bookings), so lists are planned
   * anew with their parameters every time.
   */
  prepare: boolean;
}

/** Root list fields served from one table, scoped to accounts, with `first`, `orderBy` and `accountIds`. */
const ROOT_LISTS: Record<string, string> = {
  agents: 'Agent',
  teams: 'Team',
  appointmentTypes: 'AppointmentType',
  customers: 'Customer',
  bookings: 'Booking',
};
const LIST_ARGUMENTS = new Set(['first', 'orderBy', 'accountIds']);
// As configured for the Prisma plugin in src/schema/builder.ts.
const DEFAULT_PAGE = DEFAULT_PAGE_SIZE;
const MAX_PAGE = MAX_PAGE_SIZE;

const IDENTIFIER = /^[_A-Za-z][_0-9A-Za-z]{0,62}$/;

export function compileRead(request: CompileRequest): CompiledRead | undefined {
  try {
    return new Compilation(request).statement();
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}

class Compilation {
  readonly params: unknown[] = [];
  private aliases = 0;
  private readonly fragments = new Map<string, FragmentDefinitionNode>();
  private readonly operation: OperationDefinitionNode;
  private readonly variables: Record<string, unknown>;

  constructor(private readonly request: CompileRequest) {
    const operations: OperationDefinitionNode[] = [];
    for (const definition of request.document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) this.fragments.set(definition.name.value, definition);
      else if (definition.kind === Kind.OPERATION_DEFINITION) operations.push(definition);
      else throw new Unsupported('type system definitions');
    }
    const operation = request.operationName ? operations.find((candidate) => candidate.name?.value === request.operationName) : operations.length === 1 ? operations[0] : undefined;
    if (!operation || operation.operation !== 'query') throw new Unsupported('not a single query');
    this.operation = operation;
    const coerced = getVariableValues(request.schema, operation.variableDefinitions ?? [], request.variables ?? {});
    if (coerced.errors) throw new Unsupported('invalid variables');
    this.variables = coerced.coerced;
  }

  statement(): CompiledRead {
    const queryType = this.request.schema.getQueryType()!;
    const fields = this.collect(queryType, [this.operation.selectionSet]);
    // Nothing to read: the resolvers answer without a statement.
    if ([...fields.values()].every((nodes) => nodes[0]!.name.value === '__typename')) throw new Unsupported('no data fields');
    const parts = [...fields].map(([key, nodes]) => {
      const name = nodes[0]!.name.value;
      const value = name === '__typename' ? `'"${queryType.name}"'` : `coalesce((${this.rootField(queryType, name, nodes)})::text, 'null')`;
      return `'"${identifier(key)}":' || ${value}`;
    });
    const prepare = [...fields.values()].every((nodes) => ['__typename', 'node'].includes(nodes[0]!.name.value));
    return { sql: `SELECT '{"data":{' || ${parts.join(` || ',' || `)} || '}}' AS body`, params: this.params, prepare };
  }

  // ---- root fields

  private rootField(queryType: GraphQLObjectType, name: string, nodes: FieldNode[]): string {
    const field = queryType.getFields()[name];
    if (!field || !this.request.hasScope('read')) throw new Unsupported(`root field ${name}`);
    const args = getArgumentValues(field, nodes[0]!, this.variables) as Record<string, unknown>;
    // The resolvers answer such input with BAD_USER_INPUT: so must this path, by leaving it to them.
    if (inputIssues(args).length > 0) throw new Unsupported('input the input guard refuses');
    if (name === 'node') return this.node(String(args.id), nodes);
    const typename = ROOT_LISTS[name];
    if (!typename) throw new Unsupported(`root field ${name}`);
    return this.connection(getNamedType(field.type) as GraphQLObjectType, typename, args, nodes);
  }

  private node(globalId: string, nodes: FieldNode[]): string {
    let decoded: { typename: string; id: string };
    try {
      decoded = decodeId(globalId);
    } catch {
      throw new Unsupported('invalid id');
    }
    const table = tableOf(decoded.typename);
    const type = this.request.schema.getType(decoded.typename);
    if (!table || !isObjectType(type) || !type.getInterfaces().some((candidate) => candidate.name === 'Node')) throw new Unsupported(`node of ${decoded.typename}`);
    const row = this.alias();
    const accounts = this.param(this.accounts(null), 'uuid[]');
    const joins: string[] = [];
    const json = this.object(type, row, nodes, joins);
    return `SELECT ${json} FROM ${table.table} AS ${row} ${joins.join(' ')} WHERE ${row}.id = ${this.param(decoded.id, 'uuid')} AND ${accountScopeCondition(table.model, row, accounts)}`;
  }

  private connection(connectionType: GraphQLObjectType, typename: string, args: Record<string, unknown>, nodes: FieldNode[]): string {
    for (const [name, value] of Object.entries(args)) {
      if (value != null && !LIST_ARGUMENTS.has(name)) throw new Unsupported(`argument ${name}`);
    }
    const first = (args.first as number | null | undefined) ?? DEFAULT_PAGE;
    if (first < 0) throw new Unsupported('negative first');
    const size = Math.min(first, MAX_PAGE);
    const table = tableOf(typename)!;
    const type = this.request.schema.getType(typename) as GraphQLObjectType;
    const orderBy = (args.orderBy as Array<{ field: string; direction?: string | null }> | null | undefined) ?? [];
    if (orderBy.length > MAX_SORT_KEYS) throw new Unsupported('too many sort keys');
    const sortFields = sortFieldsOf(`${typename}OrderBy`);
    if (!sortFields) throw new Unsupported(`no sort keys for ${typename}`);

    const accounts = this.param(this.accounts(args.accountIds as string[] | null | undefined), 'uuid[]');
    const scan = this.alias();
    const order = [
      ...orderBy.map(({ field, direction }) => sortKey(sortFields[field], table.model, scan, direction === 'DESC' ? 'desc' : 'asc')),
      `${scan}.id ASC`,
    ].join(', ');
    const page = this.alias();
    const where = (alias: string) => accountScopeCondition(table.model, alias, accounts);
    const cte = `WITH ${page} AS (SELECT ${scan}.*, row_number() OVER (ORDER BY ${order}) AS _n FROM ${table.table} AS ${scan} WHERE ${where(scan)} ORDER BY ${order} LIMIT ${size + 1})`;
    const cursor = (alias: string) => `encode(convert_to('GPC:S:' || ${alias}.id, 'UTF8'), 'base64')`;

    const columns = [...this.collect(connectionType, selectionSets(nodes))].map(([key, fieldNodes]) => {
      const name = fieldNodes[0]!.name.value;
      let value: string;
      switch (name) {
        case '__typename':
          value = `'${connectionType.name}'`;
          break;
        case 'nodes':
          const joins: string[] = [];
          const json = this.object(type, page, fieldNodes, joins);
          value = jsonArray(json, `${page}._n`, `${page} ${joins.join(' ')}`, `${page}._n <= ${size}`);
          break;
        case 'edges': {
          const edgeType = getNamedType(connectionType.getFields().edges!.type) as GraphQLObjectType;
          const joins: string[] = [];
          const edgeColumns = [...this.collect(edgeType, selectionSets(fieldNodes))].map(([edgeKey, edgeNodes]) => {
            const edgeField = edgeNodes[0]!.name.value;
            const edgeValue = edgeField === '__typename' ? `'${edgeType.name}'` : edgeField === 'cursor' ? cursor(page) : edgeField === 'node' ? this.object(type, page, edgeNodes, joins) : unsupported(`${edgeType.name}.${edgeField}`);
            return `${edgeValue} AS "${identifier(edgeKey)}"`;
          });
          const edge = `(SELECT row_to_json(_e) FROM (SELECT ${edgeColumns.join(', ')}) AS _e)`;
          value = jsonArray(edge, `${page}._n`, `${page} ${joins.join(' ')}`, `${page}._n <= ${size}`);
          break;
        }
        case 'pageInfo': {
          const pageInfoType = getNamedType(connectionType.getFields().pageInfo!.type) as GraphQLObjectType;
          const last = this.alias();
          const infoColumns = [...this.collect(pageInfoType, selectionSets(fieldNodes))].map(([infoKey, infoNodes]) => {
            const infoField = infoNodes[0]!.name.value;
            const infoValue =
              infoField === '__typename' ? `'${pageInfoType.name}'`
              : infoField === 'hasNextPage' ? `(SELECT count(*) FROM ${page}) > ${size}`
              : infoField === 'hasPreviousPage' ? 'false'
              : infoField === 'startCursor' ? `(SELECT ${cursor(last)} FROM ${page} AS ${last} WHERE ${last}._n = 1 AND ${last}._n <= ${size})`
              : infoField === 'endCursor' ? `(SELECT ${cursor(last)} FROM ${page} AS ${last} WHERE ${last}._n <= ${size} ORDER BY ${last}._n DESC LIMIT 1)`
              : unsupported(`PageInfo.${infoField}`);
            return `${infoValue} AS "${identifier(infoKey)}"`;
          });
          value = `(SELECT row_to_json(_p) FROM (SELECT ${infoColumns.join(', ')}) AS _p)`;
          break;
        }
        case 'totalCount': {
          const counted = this.alias();
          value = `(SELECT count(*) FROM ${table.table} AS ${counted} WHERE ${where(counted)})`;
          break;
        }
        default:
          throw new Unsupported(`${connectionType.name}.${name}`);
      }
      return `${value} AS "${identifier(key)}"`;
    });
    return `${cte} SELECT row_to_json(_c) FROM (SELECT ${columns.join(', ')}) AS _c`;
  }

  // ---- objects

  /**
   * A JSON object of `type` for the row `alias`, with the fields selected by
   * `nodes`. Single related rows are joined into the FROM that brings `alias`
   * (`joins`) rather than looked up row by row: per row, the planner would
   * scan a small table each time.
   */
  private object(type: GraphQLObjectType, alias: string, nodes: FieldNode[], joins: string[]): string {
    const columns = [...this.collect(type, selectionSets(nodes))].map(([key, fieldNodes]) => `${this.field(type, alias, fieldNodes, joins)} AS "${identifier(key)}"`);
    return `(SELECT row_to_json(_j) FROM (SELECT ${columns.join(', ')}) AS _j)`;
  }

  private field(type: GraphQLObjectType, alias: string, nodes: FieldNode[], joins: string[]): string {
    const name = nodes[0]!.name.value;
    if (name === '__typename') return `'${type.name}'`;
    const definition = type.getFields()[name];
    if (!definition) throw new Unsupported(`${type.name}.${name}`);
    const plan: FieldPlan = fieldPlan(this.request.schema, type, definition);
    switch (plan.kind) {
      case 'scalar':
        if (plan.scalar === 'globalId') return `translate(encode(convert_to('${plan.typename}:' || ${alias}.id, 'UTF8'), 'base64'), E'+/=\\n', '-_')`;
        if (plan.scalar === 'dateTime') return `to_char(${alias}.${plan.column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
        return `${alias}.${plan.column}`;
      case 'object': {
        const target = this.request.schema.getType(plan.typename) as GraphQLObjectType;
        const row = this.alias();
        joins.push(`LEFT JOIN ${plan.hop.table} AS ${row} ON ${row}.${plan.hop.column} = ${alias}.${plan.hop.parentColumn}`);
        return `CASE WHEN ${row}.id IS NULL THEN NULL ELSE ${this.object(target, row, nodes, joins)} END`;
      }
      case 'list': {
        const target = this.request.schema.getType(plan.typename) as GraphQLObjectType;
        const link = this.alias();
        const scope = `${link}.${plan.hop.column} = ${alias}.${plan.hop.parentColumn}`;
        if (!plan.then) {
          const order = orderSql(plan.orderBy, plan.hop.model, link, {});
          const elementJoins: string[] = [];
          const element = this.object(target, link, nodes, elementJoins);
          return jsonArray(element, order, `${plan.hop.table} AS ${link} ${elementJoins.join(' ')}`, scope);
        }
        const row = this.alias();
        const order = orderSql(plan.orderBy, plan.hop.model, link, { [plan.then.relation]: row });
        const elementJoins: string[] = [];
        const element = this.object(target, row, nodes, elementJoins);
        return jsonArray(element, order, `${plan.hop.table} AS ${link} JOIN ${plan.then.table} AS ${row} ON ${row}.id = ${link}.${plan.then.parentColumn} ${elementJoins.join(' ')}`, scope);
      }
    }
  }

  // ---- selection sets, as graphql-js collects them

  private collect(type: GraphQLObjectType, selectionSets: SelectionSetNode[]): Map<string, FieldNode[]> {
    const fields = new Map<string, FieldNode[]>();
    const visited = new Set<string>();
    const visit = (selectionSet: SelectionSetNode) => {
      for (const selection of selectionSet.selections) {
        if (!this.included(selection)) continue;
        if (selection.kind === Kind.FIELD) {
          const key = selection.alias?.value ?? selection.name.value;
          fields.set(key, [...(fields.get(key) ?? []), selection]);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          if (this.applies(selection.typeCondition?.name.value, type)) visit(selection.selectionSet);
        } else {
          const name = selection.name.value;
          if (visited.has(name)) continue;
          visited.add(name);
          const fragment = this.fragments.get(name);
          if (fragment && this.applies(fragment.typeCondition.name.value, type)) visit(fragment.selectionSet);
        }
      }
    };
    selectionSets.forEach(visit);
    return fields;
  }

  private included(node: FieldNode | InlineFragmentNode | FragmentSpreadNode): boolean {
    if (!node.directives?.length) return true;
    if (getDirectiveValues(GraphQLSkipDirective, node, this.variables)?.if === true) return false;
    if (getDirectiveValues(GraphQLIncludeDirective, node, this.variables)?.if === false) return false;
    return true;
  }

  private applies(condition: string | undefined, type: GraphQLObjectType): boolean {
    if (!condition || condition === type.name) return true;
    const conditionType = this.request.schema.getType(condition);
    return !!conditionType && isAbstractType(conditionType) && this.request.schema.isSubType(conditionType, type);
  }

  // ---- parameters

  private accounts(accountIds: readonly string[] | null | undefined): readonly string[] {
    try {
      return this.request.accountsFor(accountIds);
    } catch {
      throw new Unsupported('accounts outside the token');
    }
  }

  private param(value: unknown, cast: string): string {
    this.params.push(value);
    return `$${this.params.length}::${cast}`;
  }

  private alias(): string {
    return `t${this.aliases++}`;
  }
}

function selectionSets(nodes: FieldNode[]): SelectionSetNode[] {
  return nodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
}

function identifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Unsupported(`response key ${name}`);
  return name;
}

function unsupported(what: string): never {
  throw new Unsupported(what);
}

function jsonArray(element: string, order: string, from: string, where: string): string {
  return `(SELECT '[' || coalesce(string_agg((${element})::text, ',' ORDER BY ${order}), '') || ']' FROM ${from} WHERE ${where})::json`;
}

/**
 * A Prisma `orderBy` as SQL over `alias` (a row of `model`): scalar fields,
 * `{ sort, nulls }`, and fields of a to-one relation, read from an already
 * joined row (`joined`) or by a correlated subquery.
 */
function orderSql(orderBy: PrismaOrder, model: string, alias: string, joined: Record<string, string>): string {
  return orderBy
    .map((entry) => {
      const [name, value] = singleEntry(entry);
      if (typeof value === 'string') return `${alias}.${snakeCase(name)} ${direction(value)}`;
      const spec = value as Record<string, unknown>;
      if (typeof spec.sort === 'string') return `${alias}.${snakeCase(name)} ${direction(spec.sort)}${spec.nulls ? ` NULLS ${spec.nulls === 'last' ? 'LAST' : 'FIRST'}` : ''}`;
      const [field, sort] = singleEntry(spec);
      if (typeof sort !== 'string') throw new Unsupported('nested order');
      const row = joined[name];
      if (row) return `${row}.${snakeCase(field)} ${direction(sort)}`;
      return `${relatedColumn(model, alias, name, field)} ${direction(sort)}`;
    })
    .join(', ');
}

/** A sort key of a list's `orderBy` argument, as `toPrisma` in src/schema/common.ts orders it. */
function sortKey(path: SortPath | undefined, model: string, alias: string, sort: 'asc' | 'desc'): string {
  if (path === undefined) throw new Unsupported('unknown sort key');
  if (typeof path === 'string') return `${alias}.${snakeCase(path)} ${direction(sort)}`;
  return `${relatedColumn(model, alias, path[0], path[1])} ${direction(sort)}`;
}

function relatedColumn(model: string, alias: string, relation: string, field: string): string {
  const hop = hopAlong(model, relation);
  if (hop.column !== 'id') throw new Unsupported('order by a to-many relation');
  return `(SELECT _r.${snakeCase(field)} FROM ${hop.table} AS _r WHERE _r.id = ${alias}.${hop.parentColumn})`;
}

function singleEntry(entry: Record<string, unknown>): [string, unknown] {
  const entries = Object.entries(entry);
  if (entries.length !== 1) throw new Unsupported('order entry with several keys');
  return entries[0]!;
}

function direction(value: string): string {
  if (value === 'asc') return 'ASC';
  if (value === 'desc') return 'DESC';
  throw new Unsupported(`sort ${value}`);
}
