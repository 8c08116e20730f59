import { z } from 'zod';
import { builder } from './builder.ts';
import { nonBlank } from './account.ts';
import { accountIdsArg, accountsInScope, idOf, MUTATION_ERRORS, orderByInput, StringFilter, stringFilters, targetAccount, write, filterArgs, withFilter } from './common.ts';
import { CUSTOMER_FILTERS } from '../query/catalogs.ts';
import { normaliseCustomer } from '../bookings/customers.ts';
import { containsText } from '../query/like.ts';
import type { Context } from './context.ts';

export const CustomerRef = builder.prismaNode('Customer', {
  id: { field: 'id' },
  // Loading by id yields null for a row outside the token's accounts.
  nullable: true,
  description: 'The person a booking is for (Timekit customer, Appointedd customer).',
  fields: (t) => ({
    account: t.relation('account'),
    name: t.exposeString('name'),
    email: t.exposeString('email'),
    phone: t.exposeString('phone', { nullable: true }),
    timeZone: t.expose('timeZone', { type: 'TimeZone', nullable: true, description: 'Where the customer is; times are shown to them in it.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const customerOrder = orderByInput('Customer', { NAME: 'name', EMAIL: 'email', CREATED_AT: 'createdAt' });

const CustomerWhere = builder.inputType('CustomerWhere', {
  fields: (t) => ({
    name: t.field({ type: StringFilter, required: false }),
    email: t.field({ type: StringFilter, required: false }),
    search: t.string({ required: false, description: 'Matches name, email or phone, ignoring case.' }),
  }),
});

function customerWhere(context: Context, args: { accountIds?: readonly string[] | null; filter?: string | null; where?: typeof CustomerWhere.$inferInput | null }) {
  const where = args.where;
  const search = where?.search?.trim();
  return withFilter(
    {
      accountId: { in: accountsInScope(context, args.accountIds) },
      AND: stringFilters({ name: where?.name, email: where?.email }),
      OR: search
        ? [
            { name: containsText(search) },
            { email: containsText(search) },
            { phone: containsText(search) },
          ]
        : undefined,
    },
    args.filter,
    CUSTOMER_FILTERS,
  );
}

builder.queryFields((t) => ({
  customers: t.prismaConnection({
    type: 'Customer',
    cursor: 'id',
    nullable: true,
    authScopes: { read: true },
    description: 'Customers across the token’s accounts, in one call (Appointedd’s cross-account search).',
    args: { ...accountIdsArg, ...filterArgs(CUSTOMER_FILTERS), where: t.arg({ type: CustomerWhere, required: false }), ...customerOrder.args },
    resolve: (query, _root, args, context) =>
      context.db.customer.findMany({ ...query, where: customerWhere(context, args), orderBy: customerOrder.toPrisma(args.orderBy) }),
    totalCount: (_parent, args, context) => context.db.customer.count({ where: customerWhere(context, args) }),
  }, { name: 'CustomerConnection' }, { name: 'CustomerEdge' }),
}));

// ---- Mutations -----------------------------------------------------------------

/** What a customer's fields must be, wherever a customer is given: createCustomer, updateCustomer, or inside a booking. */
export const customerName = nonBlank;
export const customerEmail = z.email('Must be an email address').max(320);
export const customerPhone = z.string().trim().min(3).max(40).regex(/^[+()\d\s.-]+$/, 'Digits, spaces and + ( ) . - only');

const CreateCustomerInput = builder.inputType('CreateCustomerInput', {
  fields: (t) => ({
    accountId: t.id({ required: false, description: 'Required when the token covers more than one account.' }),
    name: t.string({ validate: customerName }),
    email: t.string({ validate: customerEmail }),
    phone: t.string({ required: false, validate: customerPhone }),
    timeZone: t.field({ type: 'TimeZone', required: false }),
  }),
});

const UpdateCustomerInput = builder.inputType('UpdateCustomerInput', {
  fields: (t) => ({
    name: t.string({ required: false, validate: customerName }),
    email: t.string({ required: false, validate: customerEmail }),
    phone: t.string({ required: false, validate: customerPhone, description: 'null clears it.' }),
    timeZone: t.field({ type: 'TimeZone', required: false, description: 'null clears it.' }),
  }),
});

/** An account has one customer per e-mail (without case): a second is refused at the e-mail. */
const EMAIL_TAKEN = { email: ['input', 'email'] };

builder.mutationFields((t) => ({
  createCustomer: t.prismaField({
    type: 'Customer',
    authScopes: { write: true },
    errors: MUTATION_ERRORS,
    args: { input: t.arg({ type: CreateCustomerInput }) },
    resolve: (query, _root, { input }, context) =>
      write(
        undefined,
        () => context.db.customer.create({ ...query, data: { accountId: targetAccount(context, input.accountId), ...normaliseCustomer(input) } }),
        EMAIL_TAKEN,
      ),
  }),
  updateCustomer: t.prismaField({
    type: 'Customer',
    authScopes: { write: true },
    errors: MUTATION_ERRORS,
    args: { id: t.arg.id(), input: t.arg({ type: UpdateCustomerInput }) },
    resolve: (query, _root, { id, input }, context) =>
      write(id, () =>
        context.db.customer.update({
          ...query,
          where: { id: idOf('Customer', id) },
          data: {
            name: input.name?.trim() ?? undefined,
            email: input.email?.trim().toLowerCase() ?? undefined,
            phone: input.phone === undefined ? undefined : input.phone?.trim() || null,
            timeZone: input.timeZone === undefined ? undefined : input.timeZone,
          },
        }),
        EMAIL_TAKEN,
      ),
  }),
  deleteCustomer: t.field({
    type: 'ID',
    authScopes: { write: true },
    errors: MUTATION_ERRORS,
    args: { id: t.arg.id() },
    resolve: async (_root, { id }, context) => {
      await write(id, () => context.db.customer.delete({ where: { id: idOf('Customer', id) } }));
      return id;
    },
  }),
}));
