import { describe, expect, it } from 'vitest';
import { createFairSlots, type FairSlots } from '../../src/fairness/fair-slots.ts';

/** Tasks that run until the test finishes them, recording the order they started in. */
function harness(slots: FairSlots) {
  const started: string[] = [];
  const finishers = new Map<string, () => void>();
  const submit = (caller: string, name: string) =>
    slots.run(caller, () => {
      started.push(name);
      return new Promise<string>((resolve) => finishers.set(name, () => resolve(name)));
    });
  const finish = async (name: string) => {
    finishers.get(name)!();
    // Let the slot pass on and the next task start.
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { started, submit, finish };
}

describe('createFairSlots', () => {
  it('starts tasks while slots are free, and never more than the slots nor a caller’s share at once', async () => {
    const slots = createFairSlots({ slots: 3, perCaller: 2 });
    const { started, submit } = harness(slots);
    for (const name of ['b1', 'b2', 'b3', 'b4']) void submit('b', name);
    void submit('c', 'c1');
    void submit('d', 'd1');
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual(['b1', 'b2', 'c1']);
    expect(slots.held.total).toBe(3);
    expect(slots.held.byCaller.get('b')).toBe(2);
    expect(slots.waiting).toBe(3);
  });

  it('keeps a slot for other callers while one caller has a burst queued', async () => {
    const slots = createFairSlots({ slots: 3, perCaller: 2 });
    const { started, submit } = harness(slots);
    for (let index = 1; index <= 20; index += 1) void submit('noisy', `noisy${index}`);
    void submit('quiet', 'quiet1');
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual(['noisy1', 'noisy2', 'quiet1']);
  });

  it('gives a freed slot to the waiting caller holding the fewest, in turns among equals, each caller’s tasks in arrival order', async () => {
    const slots = createFairSlots({ slots: 2, perCaller: 2 });
    const { started, submit, finish } = harness(slots);
    for (let index = 1; index <= 4; index += 1) void submit('b', `b${index}`);
    void submit('c', 'c1');
    void submit('c', 'c2');
    void submit('a', 'a1');
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual(['b1', 'b2']);
    for (const name of ['b1', 'b2', 'c1', 'b3', 'a1']) await finish(name);
    // The first slot freed goes to c, which holds none while b holds one; from then on, callers holding
    // none take turns (b, a, c), and b's last task waits for b's turn to come round again.
    expect(started).toEqual(['b1', 'b2', 'c1', 'b3', 'a1', 'c2', 'b4']);
  });

  it('frees the slot of a task that fails', async () => {
    const slots = createFairSlots({ slots: 1, perCaller: 1 });
    await expect(slots.run('a', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(slots.run('a', async () => 'next')).resolves.toBe('next');
    expect(slots.held.total).toBe(0);
  });

  it('forgets a caller once it neither holds nor awaits a slot, so memory follows the callers in flight', async () => {
    const slots = createFairSlots({ slots: 2, perCaller: 1 });
    await Promise.all(Array.from({ length: 50 }, (_, index) => slots.run(`caller${index % 10}`, async () => index)));
    expect(slots.held.total).toBe(0);
    expect(slots.held.byCaller.size).toBe(0);
    expect(slots.waiting).toBe(0);
  });

  it('refuses a share larger than the slots, or no slots at all', () => {
    expect(() => createFairSlots({ slots: 2, perCaller: 3 })).toThrow(RangeError);
    expect(() => createFairSlots({ slots: 0, perCaller: 0 })).toThrow(RangeError);
  });
});
