import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { at, createBookableAccount, upcomingMonday } from '../support/booking-fixtures.ts';

let gateway: TestGateway;
let setup: Awaited<ReturnType<typeof createBookableAccount>>;
let token: string;
const monday = upcomingMonday();

beforeAll(async () => {
  gateway = await startTestGateway();
  setup = await createBookableAccount(gateway.db, { name: 'Customers', agents: 3 });
  token = await gateway.tokenFor({ accounts: [setup.account.id] });
});

afterAll(() => gateway?.close());

const BOOK = `mutation ($input: CreateBookingInput!) { createBooking(input: $input) {
  __typename ... on CreateBookingSuccess { data { customer { id email } } } ... on ValidationError { issues { path message } } } }`;
const CREATE_CUSTOMER = `mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) {
  __typename ... on CreateCustomerSuccess { data { id email phone } } ... on ValidationError { issues { path message } } } }`;

const book = (startsAt: string, customer: Record<string, unknown>, resourceId = setup.agentIds[0]) =>
  gateway.graphql(BOOK, { input: { appointmentTypeId: setup.instantTypeId, resourceId, startsAt, customer: { name: 'Marty', ...customer } } }, token);

describe('one customer per account and e-mail', () => {
  it('six parallel first bookings with one new e-mail, in any case, share one customer', async () => {
    const emails = ['marty@hill.example', 'Marty@Hill.example', 'MARTY@HILL.EXAMPLE'];
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, index) => book(at(monday, `${10 + Math.floor(index / 3)}:00`), { email: emails[index % 3] }, setup.agentIds[index % 3])),
    );
    for (const result of results) expect(result.data.createBooking.__typename).toBe('CreateBookingSuccess');
    expect(new Set(results.map((result) => result.data.createBooking.data.customer.id)).size).toBe(1);
    const stored = await gateway.db.customer.findMany({ where: { accountId: setup.account.id, email: { equals: 'marty@hill.example', mode: 'insensitive' } } });
    expect(stored).toHaveLength(1);
    expect(await gateway.db.booking.count({ where: { customerId: stored[0]!.id } })).toBe(6);
  });

  it('createCustomer refuses an e-mail the account already has, at the e-mail', async () => {
    const input = { name: 'Doc', email: 'doc@hill.example' };
    expect((await gateway.graphql(CREATE_CUSTOMER, { input }, token)).data.createCustomer.__typename).toBe('CreateCustomerSuccess');
    const again = (await gateway.graphql(CREATE_CUSTOMER, { input: { ...input, email: 'DOC@hill.example' } }, token)).data.createCustomer;
    expect(again).toEqual({ __typename: 'ValidationError', issues: [{ path: ['input', 'email'], message: expect.any(String) }] });
  });

  it('updateCustomer refuses to move a customer onto an e-mail another one has', async () => {
    const other = (await gateway.graphql(CREATE_CUSTOMER, { input: { name: 'Emmett', email: 'emmett@hill.example' } }, token)).data.createCustomer.data;
    const moved = await gateway.graphql(
      `mutation ($id: ID!) { updateCustomer(id: $id, input: { email: "Doc@Hill.example" }) { __typename ... on ValidationError { issues { path } } } }`,
      { id: other.id },
      token,
    );
    expect(moved.data.updateCustomer).toEqual({ __typename: 'ValidationError', issues: [{ path: ['input', 'email'] }] });
  });
});

describe('a customer is validated alike wherever it is given', () => {
  it('createBooking refuses the phone number createCustomer refuses, with its path', async () => {
    const phone = 'call me maybe';
    const created = (await gateway.graphql(CREATE_CUSTOMER, { input: { name: 'Biff', email: 'biff@hill.example', phone } }, token)).data.createCustomer;
    expect(created.__typename).toBe('ValidationError');
    expect(created.issues.map((issue: { path: string[] }) => issue.path)).toEqual([['input', 'phone']]);
    const booked = (await book(at(monday, '14:00'), { email: 'biff@hill.example', phone })).data.createBooking;
    expect(booked.__typename).toBe('ValidationError');
    expect(booked.issues.map((issue: { path: string[] }) => issue.path)).toEqual([['input', 'customer', 'phone']]);
    expect(await gateway.db.customer.count({ where: { email: 'biff@hill.example' } })).toBe(0);
  });

  it('both store a valid phone number the same way, trimmed', async () => {
    const created = (await gateway.graphql(CREATE_CUSTOMER, { input: { name: 'Lou', email: 'lou@hill.example', phone: ' +1 (555) 010-9999 ' } }, token)).data.createCustomer;
    expect(created.data.phone).toBe('+1 (555) 010-9999');
    const booked = (await book(at(monday, '15:00'), { email: 'jen@hill.example', phone: ' +1 (555) 010-9999 ' })).data.createBooking;
    expect(booked.__typename).toBe('CreateBookingSuccess');
    expect((await gateway.db.customer.findFirstOrThrow({ where: { email: 'jen@hill.example' } })).phone).toBe('+1 (555) 010-9999');
  });
});
