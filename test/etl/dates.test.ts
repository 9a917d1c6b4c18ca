import { describe, expect, it } from 'vitest';
import { parseDateArg } from '../../src/etl/dates.js';

describe('parseDateArg', () => {
  it('turns dates and date-times into UTC with milliseconds', () => {
    expect(parseDateArg('2026-01-01', '--since')).toBe('2026-01-01T00:00:00.000Z');
    expect(parseDateArg('2026-01-31T12:00:00Z', '--since')).toBe('2026-01-31T12:00:00.000Z');
    expect(parseDateArg('2026-01-31T12:00', '--since')).toBe('2026-01-31T12:00:00.000Z');
    expect(parseDateArg('2026-01-31 12:00:05.5', '--since')).toBe('2026-01-31T12:00:05.500Z');
    expect(parseDateArg('2026-01-31T12:00:00+02:00', '--until')).toBe('2026-01-31T10:00:00.000Z');
    expect(parseDateArg('2026-01-01T00:30:00-0130', '--until')).toBe('2026-01-01T02:00:00.000Z');
    expect(parseDateArg('2026-03-01T00:00:00.123456Z', '--until')).toBe('2026-03-01T00:00:00.123Z');
  });

  it('refuses garbage and impossible dates with the documented message', () => {
    expect(() => parseDateArg('yesterdayish', '--since')).toThrow(
      '--since: "yesterdayish" is not a date; use 2026-01-31 or 2026-01-31T12:00:00Z',
    );
    for (const bad of ['2026-02-30', '2026-13-01', '2026-01-01T24:00', '1700000000', '01/02/2026', '']) {
      expect(() => parseDateArg(bad, '--until')).toThrow(/^--until: /);
    }
  });
});
