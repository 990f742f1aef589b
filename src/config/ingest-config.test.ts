import { describe, expect, it } from 'vitest';
import { ConfigError } from '../shared/errors.ts';
import { loadConfig } from './load-config.ts';

describe('ingest.maxClockSkew', () => {
  const skew = (value: string | number | undefined): number =>
    loadConfig({ file: false, ...(value === undefined ? {} : { overrides: { ingest: { maxClockSkew: value } } }) }).ingest.maxClockSkew;

  it('defaults to one day, in seconds', () => {
    expect(skew(undefined)).toBe(86_400);
  });

  it('reads durations in days, hours, minutes or seconds, and plain seconds', () => {
    expect(skew('1d')).toBe(86_400);
    expect(skew('36h')).toBe(129_600);
    expect(skew('90m')).toBe(5_400);
    expect(skew('45s')).toBe(45);
    expect(skew('86400')).toBe(86_400);
    expect(skew(600)).toBe(600);
    expect(skew(' 2D ')).toBe(172_800);
    expect(skew('0')).toBe(0);
  });

  it('reads PICKWISE_INGEST__MAX_CLOCK_SKEW from the environment', () => {
    expect(loadConfig({ file: false, env: { PICKWISE_INGEST__MAX_CLOCK_SKEW: '12h' } }).ingest.maxClockSkew).toBe(43_200);
  });

  it('refuses what is not a duration, naming the key and the accepted forms', () => {
    for (const bad of ['soon', '1w', '-1d', '', '1 day']) {
      expect(() => skew(bad)).toThrow(ConfigError);
      expect(() => skew(bad)).toThrow(/ingest\.maxClockSkew: expected a duration such as 1d, 36h, 90m, 45s or a number of seconds/);
    }
  });
});

describe('ingest.maxRecordBytes', () => {
  it('defaults to 64 KiB and refuses sizes below 1 KiB', () => {
    expect(loadConfig({ file: false }).ingest.maxRecordBytes).toBe(65_536);
    expect(loadConfig({ file: false, env: { PICKWISE_INGEST__MAX_RECORD_BYTES: '1048576' } }).ingest.maxRecordBytes).toBe(1_048_576);
    expect(() => loadConfig({ file: false, env: { PICKWISE_INGEST__MAX_RECORD_BYTES: '100' } })).toThrow(/ingest\.maxRecordBytes/);
  });
});
