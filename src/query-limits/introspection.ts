import { NoSchemaIntrospectionCustomRule, type ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * The validation rules that refuse `__schema` and `__type` when introspection
 * is off (`INTROSPECTION=false`); `__typename` stays, clients need it. The
 * shared check (operation-limits.ts) adds them, so the compiled reads' fast
 * path leaves such a document to yoga, and yoga refuses it with these rules.
 */
export function introspectionRules(introspection: boolean): ValidationRule[] {
  return introspection ? [] : [NoSchemaIntrospectionCustomRule];
}

/** yoga validates with the rules too, when introspection is off: with the query limits off, it validates every document itself. */
export function useNoIntrospection(): Plugin {
  const rules = introspectionRules(false);
  return {
    onValidate({ addValidationRule }) {
      for (const rule of rules) addValidationRule(rule);
    },
  };
}
