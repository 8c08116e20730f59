import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

describe('fairness settings', () => {
  it('default to three query slots (two per client), two report slots (one per client) and 8 of 10 connections for compiled reads (6 per client)', () => {
    expect(loadConfig({}).fairness).toEqual({
      querySlots: { slots: 3, perCaller: 2 },
      reportSlots: { slots: 2, perCaller: 1 },
      compiledReadConnections: { slots: 8, perCaller: 6 },
    });
  });

  it('read every slot count from the environment', () => {
    const config = loadConfig({
      QUERY_SLOTS: '6',
      QUERY_SLOTS_PER_CLIENT: '3',
      REPORT_SLOTS: '4',
      REPORT_SLOTS_PER_CLIENT: '2',
      COMPILED_READ_CONNECTIONS: '5',
      COMPILED_READ_CONNECTIONS_PER_CLIENT: '5',
    });
    expect(config.fairness).toEqual({
      querySlots: { slots: 6, perCaller: 3 },
      reportSlots: { slots: 4, perCaller: 2 },
      compiledReadConnections: { slots: 5, perCaller: 5 },
    });
  });

  it('refuse a client share larger than its lane, or no slot at all, naming the setting', () => {
    expect(() => loadConfig({ QUERY_SLOTS: '2', QUERY_SLOTS_PER_CLIENT: '3' })).toThrow(/QUERY_SLOTS_PER_CLIENT: must not exceed QUERY_SLOTS/);
    expect(() => loadConfig({ REPORT_SLOTS_PER_CLIENT: '5' })).toThrow(/REPORT_SLOTS_PER_CLIENT: must not exceed REPORT_SLOTS/);
    expect(() => loadConfig({ COMPILED_READ_CONNECTIONS: '0' })).toThrow(ConfigError);
    expect(() => loadConfig({ QUERY_SLOTS: 'many' })).toThrow(/QUERY_SLOTS/);
  });
});
