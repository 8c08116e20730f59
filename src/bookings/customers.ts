import type { Prisma } from '../generated/prisma/client.ts';
import { NotFoundError, ValidationError } from '../schema/errors.ts';
import { decodeIdOf } from '../schema/global-id.ts';

type Tx = Prisma.TransactionClient;

export interface CustomerInput {
  name: string;
  email: string;
  phone?: string | null;
  timeZone?: string | null;
}

/** How a customer is stored, whichever way it arrives: trimmed, the e-mail in lower case (the unique key's form). */
export function normaliseCustomer(input: CustomerInput) {
  return {
    name: input.name.trim(),
    email: input.email.trim().toLowerCase(),
    phone: input.phone?.trim() || null,
    timeZone: input.timeZone ?? null,
  };
}

/**
 * The booking's customer: an existing one by id, or the account's customer
 * with that e-mail, made if there is none. The insert and the lookup are one
 * statement on the unique (account_id, lower(email)) index, so concurrent
 * first bookings with one new e-mail get one customer.
 */
export async function customerFor(tx: Tx, accountId: string, input: { customerId?: string | null; customer?: CustomerInput | null }) {
  if (input.customerId) {
    const id = decodeIdOf('Customer', input.customerId);
    const customer = id ? await tx.customer.findFirst({ where: { id, accountId }, select: { id: true } }) : null;
    if (!customer) throw new NotFoundError(input.customerId);
    return customer.id;
  }
  if (!input.customer) throw ValidationError.of(['input', 'customer'], 'Give a customer or a customerId');
  const customer = normaliseCustomer(input.customer);
  // DO UPDATE rather than DO NOTHING: it returns the row that was already there (and waits for one being inserted).
  const [row] = await tx.$queryRaw<Array<{ id: string }>>`
    INSERT INTO customers (account_id, name, email, phone, time_zone)
    VALUES (${accountId}::uuid, ${customer.name}, ${customer.email}, ${customer.phone}, ${customer.timeZone})
    ON CONFLICT (account_id, lower(email)) DO UPDATE SET email = customers.email
    RETURNING id`;
  return row!.id;
}
