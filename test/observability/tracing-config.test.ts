import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

describe('tracing configuration (OTEL_*)', () => {
  it('is off without OTEL_EXPORTER_OTLP_ENDPOINT', () => {
    expect(loadConfig({}).observability.tracing).toBeUndefined();
    expect(loadConfig({ OTEL_SERVICE_NAME: 'ignored' }).observability.tracing).toBeUndefined();
  });

  it('takes the endpoint, the collector headers (percent-decoded), the service name and the sample ratio', () => {
    const tracing = loadConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector.example:4318/',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=abc%3D%3D, tenant = blue',
      OTEL_SERVICE_NAME: 'gateway-eu',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
    }).observability.tracing;
    expect(tracing).toEqual({ endpoint: 'https://collector.example:4318', headers: { 'x-api-key': 'abc==', tenant: 'blue' }, serviceName: 'gateway-eu', sampleRatio: 0.25 });
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }).observability.tracing).toEqual({
      endpoint: 'http://127.0.0.1:4318',
      headers: {},
      serviceName: 'open-scheduling-gateway',
      sampleRatio: 1,
    });
  });

  it.each([
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'grpc://collector:4317'],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318'],
    ['OTEL_TRACES_SAMPLER_ARG', '1.5'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', [name]: value })).toThrow(new RegExp(name));
  });

  it('refuses malformed collector headers without repeating them (they hold credentials)', () => {
    for (const headers of ['x-api-key', 'x-api-key=%E0%A4%A', '=secret-value']) {
      let error: unknown;
      try {
        loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_EXPORTER_OTLP_HEADERS: headers });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain('OTEL_EXPORTER_OTLP_HEADERS');
      expect((error as Error).message).not.toContain('secret-value');
      expect((error as Error).message).not.toContain('%E0');
    }
  });
});
