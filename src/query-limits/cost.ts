import SchemaBuilder, { BasePlugin, PothosValidationError, type PothosOutputFieldConfig, type PothosOutputFieldType, type SchemaTypes } from '@pothos/core';
import type { FieldComplexity, FieldComplexityValue } from '@pothos/plugin-complexity';
import { reportRange } from '../reports/periods.ts';
import { availabilityRange } from '../scheduling/availability.ts';
import { queryTooComplex } from './errors.ts';

/**
 * What an operation costs: an estimate, made before execution, of the
 * objects its answer can hold (scalars are free). Pothos' complexity plugin
 * adds up `field + multiplier × (cost of the sub-selection)` over the
 * operation; this module says what `field` and `multiplier` are for each
 * field, from its arguments where they tell.
 */

/** Pages the schema serves when `first`/`last` is absent, and at most (the relay and prisma plugins' settings). */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** Elements assumed in a list the client cannot size (an agent's teams, a team's members, a booking's agents). */
const UNSIZED_LIST = 10;

/**
 * Availability reads each member's schedule for each day and computes the
 * slots in JavaScript, and members are only known once the resource is
 * read: its work is weighed as if every team had this many members (teams
 * larger than that are charged less than they cost), and its answer as this
 * many slots a day (every half hour of a working day), each listing its
 * agents. A 62-day availability listing each slot's agents costs some
 * 16,000; the budget's 50,000 allows eight of 59 days selecting only times.
 */
const AVAILABILITY_TEAM_SIZE = 100;
const AVAILABILITY_SLOTS_PER_DAY = 16;
const MAX_AVAILABILITY_DAYS = 62;

const DAY_MS = 86_400_000;

/** Per request: the figures the weights depend on, passed as the complexity plugin's context. */
export interface CostContext {
  maxPageSize: number;
  maxNodeIds: number;
}

type Weight = FieldComplexity<CostContext, Record<string, unknown>>;

/**
 * The weight of a field. A function only where the arguments size the
 * answer: the complexity plugin then reads them through the field's
 * argument mappers (input validation, which may refuse them); the other
 * fields' weights are fixed, so a mutation's invalid input still comes back
 * as its typed ValidationError.
 */
function weightOf(field: PothosOutputFieldConfig<SchemaTypes>): Weight {
  if (isLeaf(field.type)) return 0;
  if ('first' in field.args) return (args, { maxPageSize }) => ({ field: 1, multiplier: pageSize(args.first, args.last, maxPageSize) });
  // A connection's page was counted on the connection field: each node once, nothing for pageInfo.
  if (field.parentType.endsWith('Connection')) return field.name === 'nodes' || field.name === 'edges' ? { field: 1, multiplier: 1 } : 0;
  if (field.kind === 'Query' && field.name === 'nodes') return (args, { maxNodeIds }) => nodesCost(args.ids, maxNodeIds);
  if (field.kind === 'Query' && field.name === 'availability') return (args) => availabilityCost(args.input);
  if (field.kind === 'Query' && field.name === 'schedulingReport') return (args) => reportCost(args.input);
  return field.type.kind === 'List' ? { field: UNSIZED_LIST, multiplier: UNSIZED_LIST } : 1;
}

function isLeaf(type: PothosOutputFieldType<SchemaTypes>): boolean {
  const named = type.kind === 'List' ? type.type : type;
  return named.kind === 'Scalar' || named.kind === 'Enum';
}

function nodesCost(ids: unknown, maxNodeIds: number): FieldComplexityValue {
  const count = Array.isArray(ids) ? ids.length : 0;
  if (count > maxNodeIds) throw tooComplex('nodeIds', maxNodeIds, count, `nodes(ids:) takes at most ${maxNodeIds} ids; ${count} were given`);
  return { field: count, multiplier: count };
}

function pageSize(first: unknown, last: unknown, maxPageSize: number): number {
  const requested = typeof first === 'number' ? first : typeof last === 'number' ? last : DEFAULT_PAGE_SIZE;
  if (requested > maxPageSize) {
    throw tooComplex('pageSize', maxPageSize, requested, `A page holds at most ${maxPageSize} nodes; ${requested} were asked for`);
  }
  return Math.max(requested, 0);
}

function availabilityCost(input: unknown): FieldComplexityValue {
  const { from, to } = (input ?? {}) as { from?: unknown; to?: unknown };
  const range = availabilityRange(from instanceof Date ? from.getTime() : undefined, to instanceof Date ? to.getTime() : undefined, Date.now());
  const days = daysOf(new Date(range.start), new Date(range.end), MAX_AVAILABILITY_DAYS);
  return { field: days * AVAILABILITY_TEAM_SIZE, multiplier: days * AVAILABILITY_SLOTS_PER_DAY };
}

const PERIOD_DAYS: Record<string, number> = { DAY: 1, WEEK: 7, MONTH: 28 };

/**
 * A report answers one row per group, up to its `limit`: grouped only by
 * periods, the range bounds the rows; any other dimension is weighed at
 * the limit. Cutting the range into periods is work of its own, whatever
 * the limit (a day grouping over years is thousands of periods).
 */
function reportCost(input: unknown): FieldComplexityValue {
  const { groupBy = [], limit, from, to, timeZone } = (input ?? {}) as { groupBy?: string[]; limit?: number; from?: unknown; to?: unknown; timeZone?: unknown };
  const range = reportRange(from instanceof Date ? from : undefined, to instanceof Date ? to : undefined, Date.now(), typeof timeZone === 'string' ? timeZone : 'UTC');
  const maxRows = typeof limit === 'number' ? Math.max(limit, 1) : 1000;
  let rows = 1;
  let periods = 0;
  for (const dimension of new Set(groupBy)) {
    const periodDays = PERIOD_DAYS[dimension];
    const groups = periodDays === undefined ? maxRows : Math.ceil(daysOf(range.from, range.to, Infinity) / periodDays);
    if (periodDays !== undefined) periods = Math.max(periods, groups);
    rows = Math.min(rows * groups, maxRows);
  }
  return { field: rows + periods, multiplier: rows };
}

/** Whole days from `from` to `to` (at least one; a bad range is the resolver's to refuse). */
function daysOf(from: Date, to: Date, max: number): number {
  const days = Math.ceil((to.getTime() - from.getTime()) / DAY_MS);
  return Number.isFinite(days) ? Math.min(Math.max(days, 1), max) : 1;
}

/** Thrown inside the complexity plugin's walk, which reports a PothosValidationError as a validation error. */
function tooComplex(measure: string, limit: number, measured: number, message: string) {
  const error = queryTooComplex(measure, limit, measured, message);
  return new PothosValidationError(error.message, { extensions: error.extensions });
}

/** Sets each field's weight where the complexity plugin reads it (listed before that plugin, it runs after it). */
class QueryCostPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override onOutputFieldConfig(fieldConfig: PothosOutputFieldConfig<Types>): PothosOutputFieldConfig<Types> {
    return { ...fieldConfig, extensions: { ...fieldConfig.extensions, complexity: weightOf(fieldConfig as PothosOutputFieldConfig<SchemaTypes>) } };
  }
}

export const queryCostPlugin = 'queryCost';
SchemaBuilder.registerPlugin(queryCostPlugin, QueryCostPlugin);

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      queryCost: QueryCostPlugin<Types>;
    }
  }
}
