import { describe, expect, it } from 'vitest';
import { isOutcomeStatus, RowOutcomes } from '../../../src/etl/import/outcomes.js';

describe('RowOutcomes', () => {
  it('gives back every outcome as it was set, plain ones and ones with messages alike', () => {
    const outcomes = new RowOutcomes();
    const given = [
      { row: 2, status: 'created', id: 12345 },
      { row: 3, status: 'skipped' },
      { row: 4, status: 'updated', id: 'a1b2' },
      { row: 5, status: 'failed', httpStatus: 400, field: 'email', error: 'Invalid "email"' },
      { row: 6, status: 'invalid', error: 'column email: not an email' },
      { row: 7, status: 'unknown', id: 3.5 },
    ] as const;
    for (const outcome of given) outcomes.set(outcome);
    expect(outcomes.size).toBe(6);
    for (const outcome of given) expect(outcomes.get(outcome.row)).toEqual(outcome);
    expect(outcomes.get(8)).toBeUndefined();
    expect(outcomes.has(1)).toBe(false);
    expect(outcomes.has(3)).toBe(true);
  });

  it('replaces an outcome set twice, whichever way each was stored', () => {
    const outcomes = new RowOutcomes();
    outcomes.set({ row: 2, status: 'unknown', error: 'timed out' });
    outcomes.set({ row: 2, status: 'created', id: 9 });
    outcomes.set({ row: 3, status: 'created', id: 9 });
    outcomes.set({ row: 3, status: 'failed', httpStatus: 500 });
    expect(outcomes.size).toBe(2);
    expect(outcomes.get(2)).toEqual({ row: 2, status: 'created', id: 9 });
    expect(outcomes.get(3)).toEqual({ row: 3, status: 'failed', httpStatus: 500 });
  });

  it('iterates in row order, rows far beyond the others included', () => {
    const outcomes = new RowOutcomes();
    const rows = [300_000_000, 5000, 9, 2, 40, 2 ** 40];
    for (const row of rows) outcomes.set({ row, status: row % 2 === 0 ? 'created' : 'failed', ...(row === 9 ? { error: 'x' } : {}) });
    const sorted = [...rows].sort((a, b) => a - b);
    expect([...outcomes.keys()]).toEqual(sorted);
    expect([...outcomes].map(([row, outcome]) => [row, outcome.row])).toEqual(sorted.map((row) => [row, row]));
    const seen: number[] = [];
    outcomes.forEach((outcome, row) => {
      expect(outcome.row).toBe(row);
      seen.push(row);
    });
    expect(seen).toEqual(sorted);
  });

  it('knows the statuses an outcome may have', () => {
    expect(['created', 'updated', 'deleted', 'skipped', 'failed', 'invalid', 'unknown'].every(isOutcomeStatus)).toBe(true);
    expect(isOutcomeStatus('done')).toBe(false);
    expect(isOutcomeStatus(undefined)).toBe(false);
  });
});
