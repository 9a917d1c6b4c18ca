import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { Coercer, coerceBoolean, coerceEmail, coercePhone, textKind } from '../../../src/etl/import/coerce.js';
import { checkTimeZone, coerceDate, parseDateFormat } from '../../../src/etl/import/dates.js';

const value = (result: { value: string } | { problem: string }) => ('value' in result ? result.value : `problem: ${result.problem}`);

describe('dates', () => {
  it('reads ISO 8601 with or without T, seconds, fractions and an offset, and sends UTC with milliseconds', () => {
    expect(value(coerceDate('2026-11-02T10:00:00Z', 'datetime'))).toBe('2026-11-02T10:00:00.000Z');
    expect(value(coerceDate('2026-11-02 10:00:00 -0500', 'datetime'))).toBe('2026-11-02T15:00:00.000Z');
    expect(value(coerceDate('2026-11-02 10:00 +05:30', 'datetime'))).toBe('2026-11-02T04:30:00.000Z');
    expect(value(coerceDate('2026-11-02T10:00:00.123456+02', 'datetime'))).toBe('2026-11-02T08:00:00.123Z');
    expect(value(coerceDate('2026-11-02 10:00:00 UTC', 'datetime'))).toBe('2026-11-02T10:00:00.000Z');
  });

  it('reads a value without an offset in UTC, or in --timezone, and a date alone as midnight there', () => {
    expect(value(coerceDate('2026-11-02 10:00', 'datetime'))).toBe('2026-11-02T10:00:00.000Z');
    expect(value(coerceDate('2026-11-02', 'datetime'))).toBe('2026-11-02T00:00:00.000Z');
    const newYork = { timeZone: checkTimeZone('America/New_York') };
    expect(value(coerceDate('2026-07-02 10:00', 'datetime', newYork))).toBe('2026-07-02T14:00:00.000Z'); // EDT
    expect(value(coerceDate('2026-11-02', 'datetime', newYork))).toBe('2026-11-02T05:00:00.000Z'); // EST
    expect(value(coerceDate('2026-11-02 10:00 +01:00', 'datetime', newYork))).toBe('2026-11-02T09:00:00.000Z');
    // Summer time: 01:30 on 1 Nov 2026 happens twice (the first, EDT, is read); 02:30 on 8 Mar never does (read as EST).
    expect(value(coerceDate('2026-11-01 01:30', 'datetime', newYork))).toBe('2026-11-01T05:30:00.000Z');
    expect(value(coerceDate('2026-03-08 02:30', 'datetime', newYork))).toBe('2026-03-08T07:30:00.000Z');
    const tokyo = { timeZone: checkTimeZone('Asia/Tokyo') };
    expect(value(coerceDate('2026-11-02', 'datetime', tokyo))).toBe('2026-11-01T15:00:00.000Z');
  });

  it('reads --date-format tokens and strftime, with or without leading zeros', () => {
    const us = { pattern: parseDateFormat('MM/DD/YYYY') };
    expect(value(coerceDate('11/2/2026', 'date', us))).toBe('2026-11-02');
    expect(value(coerceDate('11/02/2026', 'datetime', us))).toBe('2026-11-02T00:00:00.000Z');
    const german = { pattern: parseDateFormat('DD.MM.YYYY HH:mm') };
    expect(value(coerceDate('02.11.2026 10:05', 'datetime', german))).toBe('2026-11-02T10:05:00.000Z');
    expect(value(coerceDate('02.11.2026 10:05 -0500', 'datetime', german))).toBe('2026-11-02T15:05:00.000Z');
    const strftime = { pattern: parseDateFormat('%d/%m/%y %T') };
    expect(value(coerceDate('02/11/26 10:05:07', 'datetime', strftime))).toBe('2026-11-02T10:05:07.000Z');
    expect(value(coerceDate('20261102', 'date', { pattern: parseDateFormat('YYYYMMDD') }))).toBe('2026-11-02');
    // ISO still reads under a format: it cannot be mistaken for one.
    expect(value(coerceDate('2026-11-02', 'date', us))).toBe('2026-11-02');
  });

  it('refuses dates that do not exist, other formats, and a time of day for a date field', () => {
    const us = { pattern: parseDateFormat('MM/DD/YYYY') };
    expect(value(coerceDate('13/02/2026', 'date', us))).toBe('problem: "13/02/2026" is not a date in the format MM/DD/YYYY');
    expect(value(coerceDate('2026-02-30', 'date'))).toMatch(/^problem: "2026-02-30" is not a date/);
    expect(value(coerceDate('2026-11-02 25:00', 'datetime'))).toMatch(/is not a date-time/);
    expect(value(coerceDate('11/02/2026', 'datetime'))).toBe(
      'problem: "11/02/2026" is not a date-time (ISO 8601, such as 2024-05-01T09:30:00.000Z)',
    );
    expect(value(coerceDate('2026-11-02 10:30', 'date'))).toMatch(/has a time of day/);
    expect(value(coerceDate('2026-11-02 00:00', 'date'))).toBe('2026-11-02');
    expect(value(coerceDate('', 'datetime'))).toBe('');
  });

  it('refuses a bad --date-format or --timezone with a usage error naming the flag', () => {
    expect(() => parseDateFormat('%Y-%m-%d %Q')).toThrow(/^--date-format .*%Q is not a directive/);
    expect(() => parseDateFormat('HH:mm')).toThrow(/--date-format HH:mm: a format needs a year, a month and a day/);
    expect(() => parseDateFormat('YYYY-MM-DD-DD')).toThrow(UsageError);
    expect(() => checkTimeZone('Mars/Olympus_Mons')).toThrow(/^--timezone: "Mars\/Olympus_Mons" is not a time zone/);
    expect(checkTimeZone('Europe/Berlin')).toBe('Europe/Berlin');
  });
});

describe('email addresses, phone numbers, booleans', () => {
  it('holds email addresses to one rule, trimming surrounding whitespace', () => {
    expect(coerceEmail('  anna@example.com ')).toEqual({ value: 'anna@example.com', trimmed: true });
    expect(coerceEmail('anna@example.com')).toEqual({ value: 'anna@example.com', trimmed: false });
    expect(coerceEmail('foo@').problem).toMatch(/nothing comes after the @/);
    expect(coerceEmail('x@y').problem).toMatch(/"x@y" is not an email address: its domain "y" needs a dot/);
    expect(coerceEmail('bar at example.com').problem).toMatch(/has a space/);
    expect(coerceEmail('anna@@example.com').problem).toMatch(/2 @ signs/);
    expect(coerceEmail('@example.com').problem).toMatch(/nothing comes before the @/);
  });

  it('refuses phone numbers in scientific notation, saying the spreadsheet mangled them', () => {
    expect(coercePhone('6.12346E+09').problem).toMatch(/spreadsheet rewrote in scientific notation/);
    expect(coercePhone('6,12346e+09').problem).toBeDefined();
    expect(coercePhone('+1 612 346 0000')).toEqual({ value: '+1 612 346 0000' });
  });

  it('reads booleans as 1/0, yes/no and true/false in any case', () => {
    for (const yes of ['1', 'YES', 'Yes', 'true', 'TRUE', 'yEs', 1, true]) expect(coerceBoolean(yes)).toEqual({ value: true });
    for (const no of ['0', 'No', 'FALSE', 0, false]) expect(coerceBoolean(no)).toEqual({ value: false });
    expect(coerceBoolean('maybe').problem).toMatch(/"maybe" is not true or false/);
  });

  it('reads custom fields by their /model type', () => {
    const coercer = new Coercer({ pattern: parseDateFormat('DD.MM.YYYY') });
    expect(coercer.custom('YesNo', '0')).toEqual({ value: false });
    expect(coercer.custom('YesNo', 'maybe')).toEqual({ problem: '"maybe" is not Yes or No' });
    expect(coercer.custom('Date', '31.12.1999')).toEqual({ value: '1999-12-31' });
    // A Date value with a time of day (how Keap writes them is not recorded) goes back as a date-time.
    expect(coercer.custom('Date', '1999-12-31T10:00:00Z')).toEqual({ value: '1999-12-31T10:00:00.000Z' });
    expect(coercer.custom('DateTime', '31.12.1999')).toEqual({ value: '1999-12-31T00:00:00.000Z' });
    expect(coercer.custom('Email', ' a@example.com ')).toEqual({ value: 'a@example.com' });
    expect(coercer.trimmedEmails).toBe(1);
    expect(coercer.custom('PhoneNumber', '6.12346E+09')?.problem).toMatch(/scientific notation/);
    expect(coercer.custom('Text', 'anything')).toBeUndefined();
  });

  it('knows the spec names that hold an address or a number', () => {
    expect(textKind('email_addresses.EMAIL1.email')).toBe('email');
    expect(textKind('email_address')).toBe('email');
    expect(textKind('email')).toBe('email');
    expect(textKind('phone_numbers.PHONE1.number')).toBe('phone');
    expect(textKind('phone_number.number')).toBe('phone');
    expect(textKind('fax_numbers.FAX1.number')).toBe('phone');
    expect(textKind('order_items.0.number')).toBeUndefined();
    expect(textKind('given_name')).toBeUndefined();
  });
});
