import SchemaBuilder, { BasePlugin, type PothosOutputFieldConfig, type SchemaTypes } from '@pothos/core';
import type { GraphQLFieldResolver } from 'graphql';
import { ValidationError, type FieldIssue } from './errors.ts';

/**
 * What no argument may hold, whatever its field: values PostgreSQL or its
 * driver cannot store or bind. Fields may be stricter (names, e-mails and
 * slugs have their own maximum lengths).
 */
export const INPUT_LIMITS = {
  /** Characters in any one string: far above any real text field, far below what can hurt. */
  maxStringLength: 10_000,
  /** Items in any one list; PostgreSQL binds at most 65,535 parameters per statement. */
  maxListLength: 1_000,
} as const;

/** The problems of one argument value, with the path of each (`['input', 'hours', '3', 'startTime']`). */
export function inputIssues(value: unknown, path: string[] = []): FieldIssue[] {
  if (typeof value === 'string') {
    if (value.length > INPUT_LIMITS.maxStringLength) return [{ path, message: `At most ${INPUT_LIMITS.maxStringLength} characters` }];
    // PostgreSQL text cannot hold U+0000.
    if (value.includes('\u0000')) return [{ path, message: 'Must not contain NUL (\\u0000) characters' }];
    return [];
  }
  if (Array.isArray(value)) {
    if (value.length > INPUT_LIMITS.maxListLength) return [{ path, message: `At most ${INPUT_LIMITS.maxListLength} items` }];
    return value.flatMap((item, index) => inputIssues(item, [...path, String(index)]));
  }
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    return Object.entries(value).flatMap(([key, item]) => inputIssues(item, [...path, key]));
  }
  return [];
}

/**
 * Checks every argument of every field before it resolves, so no resolver
 * sees a value it cannot store. A failure is a ValidationError: inside the
 * errors plugin, the typed result of a mutation; a BAD_USER_INPUT error
 * anywhere else. The scope check still comes first.
 */
class InputGuardPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override wrapResolve(
    resolver: GraphQLFieldResolver<unknown, Types['Context'], object>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> {
    if (Object.keys(fieldConfig.args).length === 0) return resolver;
    return (parent, args, context, info) => {
      const issues = inputIssues(args);
      if (issues.length > 0) throw new ValidationError(issues);
      return resolver(parent, args, context, info);
    };
  }
}

export const inputGuardPlugin = 'inputGuard';
SchemaBuilder.registerPlugin(inputGuardPlugin, InputGuardPlugin);

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      inputGuard: InputGuardPlugin<Types>;
    }
  }
}
