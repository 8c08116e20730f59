import { getNamedType, isEnumType, isInterfaceType, isObjectType, isScalarType, type GraphQLField, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { getDatamodel } from '../generated/pothos-types.ts';

/**
 * What the read compiler knows about the schema: which GraphQL object types
 * are rows of which table, and how each of their fields reads from SQL.
 * Everything is derived from the Pothos definitions (exposed fields, and the
 * Prisma `select` each relation field declares) and Prisma's datamodel, so a
 * field's meaning lives in one place: its Pothos definition. A field the
 * compiler cannot derive is simply unsupported, and operations selecting it
 * run through the normal resolvers.
 */

/** GraphQL type → Prisma model and table. Only these types are compiled. */
const TABLES: Record<string, { model: string; table: string }> = {
  Account: { model: 'Account', table: 'accounts' },
  Agent: { model: 'Agent', table: 'agents' },
  Team: { model: 'Team', table: 'teams' },
  TeamMember: { model: 'TeamMembership', table: 'team_memberships' },
  AppointmentType: { model: 'AppointmentType', table: 'appointment_types' },
  Customer: { model: 'Customer', table: 'customers' },
  Booking: { model: 'Booking', table: 'bookings' },
  Holiday: { model: 'Holiday', table: 'holidays' },
  Workday: { model: 'Workday', table: 'workdays' },
};

/** Link tables, reached only on the way to a compiled type. */
const LINK_TABLES: Record<string, string> = { BookingAgent: 'booking_agents' };

const TABLE_OF_MODEL = new Map([...Object.values(TABLES).map(({ model, table }) => [model, table] as const), ...Object.entries(LINK_TABLES)]);

/** How a scalar leaves SQL so that row_to_json prints what the GraphQL scalar would. */
export type ScalarKind = 'globalId' | 'dateTime' | 'plain';

/** A Prisma `orderBy` entry list, as Pothos field definitions write it. */
export type PrismaOrder = Array<Record<string, unknown>>;

/** One hop along a Prisma relation: `from.column = to.column`. */
export interface Hop {
  /** The Prisma relation followed. */
  relation: string;
  table: string;
  model: string;
  /** Column of the hop's table compared with … */
  column: string;
  /** … this column of the row it starts from. */
  parentColumn: string;
}

export type FieldPlan =
  | { kind: 'scalar'; column: string; scalar: ScalarKind; typename: string }
  | { kind: 'object'; hop: Hop; typename: string }
  | { kind: 'list'; hop: Hop; orderBy: PrismaOrder; typename: string; then?: Hop };

export class Unsupported extends Error {
  override name = 'Unsupported';
}

interface ModelField {
  name: string;
  kind: string;
  type: string;
  isList: boolean;
  relationName?: string;
  relationFromFields?: string[];
}

const datamodel = getDatamodel().datamodel as unknown as { models: Record<string, { fields: ModelField[] }> };

export const snakeCase = (name: string) => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

export function tableOf(typename: string): { model: string; table: string } | undefined {
  return TABLES[typename];
}

function modelField(model: string, name: string): ModelField {
  const field = datamodel.models[model]?.fields.find((candidate) => candidate.name === name);
  if (!field) throw new Unsupported(`${model}.${name} is not in the datamodel`);
  return field;
}

/** The join from a row of `model` along its relation `name`. */
export function hopAlong(model: string, name: string): Hop {
  const field = modelField(model, name);
  const table = TABLE_OF_MODEL.get(field.type);
  if (field.kind !== 'object' || !table) throw new Unsupported(`${model}.${name} is not a relation to a compiled table`);
  const from = field.relationFromFields ?? [];
  if (from.length === 1) return { relation: name, table, model: field.type, column: 'id', parentColumn: snakeCase(from[0]!) };
  // The foreign key is on the other side.
  const back = datamodel.models[field.type]?.fields.find((candidate) => candidate.relationName === field.relationName && candidate.name !== name && (candidate.relationFromFields ?? []).length === 1);
  if (!back || from.length > 0) throw new Unsupported(`${model}.${name}: unsupported relation shape`);
  return { relation: name, table, model: field.type, column: snakeCase(back.relationFromFields![0]!), parentColumn: 'id' };
}

const plans = new WeakMap<GraphQLField<unknown, unknown>, FieldPlan | Unsupported>();

const NESTED = Symbol('nested selection');
type Nested = { [NESTED]: unknown };
const isNested = (value: unknown): value is Nested => typeof value === 'object' && value !== null && NESTED in value;

/** How `field` of `type` reads from SQL, or Unsupported (thrown). Cached per field. */
export function fieldPlan(schema: GraphQLSchema, type: GraphQLObjectType, field: GraphQLField<unknown, unknown>): FieldPlan {
  let plan = plans.get(field);
  if (!plan) {
    try {
      plan = derivePlan(schema, type, field);
    } catch (error) {
      if (!(error instanceof Unsupported)) throw error;
      plan = error;
    }
    plans.set(field, plan);
  }
  if (plan instanceof Unsupported) throw plan;
  return plan;
}

function derivePlan(schema: GraphQLSchema, type: GraphQLObjectType, field: GraphQLField<unknown, unknown>): FieldPlan {
  const owner = TABLES[type.name];
  if (!owner) throw new Unsupported(`${type.name} is not compiled`);
  const extensions = (field.extensions ?? {}) as Record<string, unknown>;
  const options = (extensions.pothosOptions ?? {}) as Record<string, unknown>;
  if (options.authScopes || field.args.length > 0) throw new Unsupported(`${type.name}.${field.name} has its own rules`);
  const named = getNamedType(field.type);

  if (field.name === 'id' && extensions.pothosExposedField === undefined && type.getInterfaces().some((candidate) => candidate.name === 'Node')) {
    return { kind: 'scalar', column: 'id', scalar: 'globalId', typename: type.name };
  }
  const exposed = extensions.pothosExposedField;
  if (typeof exposed === 'string') {
    const column = modelField(owner.model, exposed);
    if (column.kind !== 'scalar' && column.kind !== 'enum') throw new Unsupported(`${type.name}.${field.name} exposes a relation`);
    if (column.isList) throw new Unsupported(`${type.name}.${field.name} is a list column`);
    if (named.name === 'DateTime' && column.type === 'DateTime') return { kind: 'scalar', column: snakeCase(exposed), scalar: 'dateTime', typename: named.name };
    const plain = ['String', 'Int', 'Boolean', 'ID', 'TimeZone'].includes(named.name) && ['String', 'Int', 'Boolean'].includes(column.type);
    if (plain || (isEnumType(named) && column.kind === 'enum')) return { kind: 'scalar', column: snakeCase(exposed), scalar: 'plain', typename: named.name };
    throw new Unsupported(`${type.name}.${field.name}: ${named.name} from ${column.type} is not compiled`);
  }

  // Relation fields: the Prisma selection they declare says which rows, in which order.
  const select = extensions.pothosPrismaSelect;
  if (typeof select !== 'function' || !(isObjectType(named) && TABLES[named.name]) || isInterfaceType(named) || isScalarType(named)) {
    throw new Unsupported(`${type.name}.${field.name} resolves in code`);
  }
  const declared = (select as (args: object, context: unknown, nested: (query: unknown) => Nested) => { select?: Record<string, unknown> })({}, undefined, (query) => ({ [NESTED]: query }));
  const entries = Object.entries(declared?.select ?? {});
  if (entries.length !== 1) throw new Unsupported(`${type.name}.${field.name}: unexpected selection`);
  const [relation, value] = entries[0]!;
  const hop = hopAlong(owner.model, relation);
  const isList = modelField(owner.model, relation).isList;
  if (isNested(value)) {
    const query = value[NESTED];
    if (!isList) {
      if (query !== true && !(typeof query === 'object' && query !== null && Object.keys(query).length === 0)) throw new Unsupported(`${type.name}.${field.name}: query on a single relation`);
      if (hop.model !== TABLES[named.name]!.model) throw new Unsupported(`${type.name}.${field.name}: type mismatch`);
      return { kind: 'object', hop, typename: named.name };
    }
    const { orderBy, ...rest } = (query === true ? {} : query) as { orderBy?: unknown };
    if (Object.keys(rest).length > 0) throw new Unsupported(`${type.name}.${field.name}: filtered relation`);
    if (hop.model !== TABLES[named.name]!.model) throw new Unsupported(`${type.name}.${field.name}: type mismatch`);
    return { kind: 'list', hop, orderBy: orderList(orderBy), typename: named.name };
  }
  // A list through a link table: `{ link: { select: { target: nested }, orderBy } }`.
  const { select: inner, orderBy, ...rest } = (value ?? {}) as { select?: Record<string, unknown>; orderBy?: unknown };
  const innerEntries = Object.entries(inner ?? {});
  if (!isList || Object.keys(rest).length > 0 || innerEntries.length !== 1 || !isNested(innerEntries[0]![1])) {
    throw new Unsupported(`${type.name}.${field.name}: unexpected selection`);
  }
  const [targetRelation, nested] = innerEntries[0]! as [string, Nested];
  if (nested[NESTED] !== true) throw new Unsupported(`${type.name}.${field.name}: query on the target`);
  const then = hopAlong(hop.model, targetRelation);
  if (then.model !== TABLES[named.name]!.model || then.column !== 'id') throw new Unsupported(`${type.name}.${field.name}: type mismatch`);
  return { kind: 'list', hop, orderBy: orderList(orderBy), typename: named.name, then };
}

/** Lists must declare their order: without one, two runs of the same query could disagree. */
function orderList(orderBy: unknown): PrismaOrder {
  if (orderBy === undefined) throw new Unsupported('a list without an order');
  return (Array.isArray(orderBy) ? orderBy : [orderBy]) as PrismaOrder;
}
