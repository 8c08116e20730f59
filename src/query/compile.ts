/**
 * Turns a resolved TQL filter into the two things the database understands:
 * a Prisma `where` for lists, and a parameterised SQL condition for reports.
 * Values always travel as parameters; no filter text ever reaches SQL.
 */
import { Prisma } from '../generated/prisma/client.ts';
import { ilike } from './like.ts';
import { likePattern, sqlLikePattern, type TqlOperator } from './tql.ts';
import type { AttributeSpec, ResolvedFilter, ResolvedValue } from './tql-attributes.ts';

type Where = Record<string, unknown>;

/** An attribute of a list, and where its Prisma filter goes in that list's `where`. */
export interface PrismaAttribute extends AttributeSpec {
  where: (condition: Where) => Where;
  /** Converts a filter value to the column's value (e.g. a global id to a uuid). */
  toColumn?: (value: string) => string;
}

/** An attribute of a report: the SQL expression it compares, within the report's row (`subject`). */
export interface SqlAttribute extends AttributeSpec {
  /** A scalar expression, or a function wrapping a condition on a related table (`EXISTS (...)`). */
  sql: Prisma.Sql | ((condition: (column: Prisma.Sql) => Prisma.Sql) => Prisma.Sql);
  toColumn?: (value: string) => string;
}

const NEGATED: Partial<Record<TqlOperator, TqlOperator>> = { NOT_EQ: 'EQ', NOT_LIKE: 'LIKE', NOT_IN: 'IN' };

const columnValue = (attribute: { toColumn?: (value: string) => string }, value: ResolvedValue) =>
  attribute.toColumn && typeof value === 'string' ? attribute.toColumn(value) : value;

function prismaCondition(attribute: PrismaAttribute, operator: TqlOperator, value: ResolvedValue | ResolvedValue[]): Where {
  const single = Array.isArray(value) ? value[0]! : value;
  switch (operator) {
    case 'EQ':
      return attribute.where(single === null ? { equals: null } : { equals: columnValue(attribute, single) });
    case 'IN':
      return attribute.where({ in: (value as ResolvedValue[]).map((item) => columnValue(attribute, item)) });
    case 'GT':
      return attribute.where({ gt: single });
    case 'GTE':
      return attribute.where({ gte: single });
    case 'LT':
      return attribute.where({ lt: single });
    case 'LTE':
      return attribute.where({ lte: single });
    case 'LIKE':
      // The whole pattern in one condition, so on a multi-valued attribute one value must match all of it.
      return attribute.where(ilike(sqlLikePattern(likePattern(String(single)))));
    default:
      return { NOT: prismaCondition(attribute, NEGATED[operator]!, value) };
  }
}

export function toPrismaWhere(filter: ResolvedFilter, catalog: readonly PrismaAttribute[]): Where {
  switch (filter.kind) {
    case 'predicate': {
      const attribute = catalog.find((candidate) => candidate.name === filter.attribute.name)!;
      return prismaCondition(attribute, filter.operator, filter.value);
    }
    case 'not':
      return { NOT: toPrismaWhere(filter.operand, catalog) };
    case 'and':
      return { AND: filter.operands.map((operand) => toPrismaWhere(operand, catalog)) };
    case 'or':
      return { OR: filter.operands.map((operand) => toPrismaWhere(operand, catalog)) };
  }
}

function sqlComparison(attribute: SqlAttribute, operator: TqlOperator, value: ResolvedValue | ResolvedValue[]) {
  const single = Array.isArray(value) ? value[0]! : value;
  const parameter = columnValue(attribute, single);
  return (column: Prisma.Sql): Prisma.Sql => {
    switch (operator) {
      case 'EQ':
        return parameter === null ? Prisma.sql`${column} IS NULL` : Prisma.sql`${column} = ${parameter}`;
      case 'IN':
        return Prisma.sql`${column} IN (${Prisma.join((value as ResolvedValue[]).map((item) => columnValue(attribute, item)))})`;
      case 'GT':
        return Prisma.sql`${column} > ${parameter}`;
      case 'GTE':
        return Prisma.sql`${column} >= ${parameter}`;
      case 'LT':
        return Prisma.sql`${column} < ${parameter}`;
      case 'LTE':
        return Prisma.sql`${column} <= ${parameter}`;
      case 'LIKE':
        return Prisma.sql`${column} ILIKE ${sqlLikePattern(likePattern(String(single)))} ESCAPE '\\'`;
      default:
        throw new Error(`${operator} is compiled as the negation of its positive form`);
    }
  };
}

export function toSqlCondition(filter: ResolvedFilter, catalog: readonly SqlAttribute[]): Prisma.Sql {
  switch (filter.kind) {
    case 'predicate': {
      const attribute = catalog.find((candidate) => candidate.name === filter.attribute.name)!;
      const negated = NEGATED[filter.operator];
      const compare = sqlComparison(attribute, negated ?? filter.operator, filter.value);
      const condition = typeof attribute.sql === 'function' ? attribute.sql(compare) : compare(attribute.sql);
      // As in Prisma's NOT, a NULL column matches neither EQ nor NOT_EQ; the two compilers agree row for row.
      return negated ? Prisma.sql`NOT (${condition})` : condition;
    }
    case 'not':
      return Prisma.sql`NOT (${toSqlCondition(filter.operand, catalog)})`;
    case 'and':
      return Prisma.sql`(${Prisma.join(filter.operands.map((operand) => toSqlCondition(operand, catalog)), ' AND ')})`;
    case 'or':
      return Prisma.sql`(${Prisma.join(filter.operands.map((operand) => toSqlCondition(operand, catalog)), ' OR ')})`;
  }
}
