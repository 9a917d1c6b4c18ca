/**
 * Cells written as PostgreSQL's COPY reads CSV, straight into a buffer as UTF-8: null is an
 * unquoted empty field, a flag `t` or `f`, a number its shortest text, and text is always quoted
 * (so `""` is the empty string, never null). A sync writes some 60 MB of these per 100,000
 * contacts; building each line as a string first, then copying it out, was a third of what a sync
 * allocated and the largest share of its garbage collection.
 */
import type { CellValue } from './layout.js';

const COMMA = 0x2c;
const QUOTE = 0x22;
const NEWLINE = 0x0a;
/** Text longer than this without a quote in it is written by Buffer.write: past it the call costs less than a loop here. */
const NATIVE_FROM = 16;

/** The most bytes a cell takes: UTF-8 is at most 3 bytes per UTF-16 unit (a doubled quote 2, a surrogate pair 4 for 2), a number at most 24. */
const mostBytes = (value: CellValue | undefined) => (typeof value === 'string' ? value.length * 3 + 2 : 24);

/** Writes one cell at `at` (room made for it) and returns where it ends. */
function writeCell(buffer: Buffer, at: number, value: CellValue | undefined): number {
  if (value === null || value === undefined) return at;
  if (typeof value === 'string') return writeText(buffer, at, value);
  if (typeof value === 'boolean') {
    buffer[at] = value ? 0x74 : 0x66;
    return at + 1;
  }
  const text = String(value);
  for (let i = 0; i < text.length; i++) buffer[at++] = text.charCodeAt(i);
  return at;
}

/** Text in quotes, a quote doubled, as UTF-8 (a lone surrogate as U+FFFD, as Buffer.write does). */
function writeText(buffer: Buffer, at: number, text: string): number {
  buffer[at++] = QUOTE;
  if (text.length > NATIVE_FROM && !text.includes('"')) {
    at += buffer.write(text, at, 'utf8');
    buffer[at] = QUOTE;
    return at + 1;
  }
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      if (c === QUOTE) buffer[at++] = QUOTE;
      buffer[at++] = c;
    } else if (c < 0x800) {
      buffer[at++] = 0xc0 | (c >> 6);
      buffer[at++] = 0x80 | (c & 0x3f);
    } else {
      if (c >= 0xd800 && c <= 0xdfff) {
        const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          const point = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
          buffer[at++] = 0xf0 | (point >> 18);
          buffer[at++] = 0x80 | ((point >> 12) & 0x3f);
          buffer[at++] = 0x80 | ((point >> 6) & 0x3f);
          buffer[at++] = 0x80 | (point & 0x3f);
          i++;
          continue;
        }
        c = 0xfffd;
      }
      buffer[at++] = 0xe0 | (c >> 12);
      buffer[at++] = 0x80 | ((c >> 6) & 0x3f);
      buffer[at++] = 0x80 | (c & 0x3f);
    }
  }
  buffer[at] = QUOTE;
  return at + 1;
}

/** A buffer written from the front, grown (copied) when a write would not fit. */
export class CsvBytes {
  buffer: Buffer;
  at = 0;

  constructor(size = 1 << 12) {
    this.buffer = Buffer.allocUnsafe(size);
  }

  /** Room for `bytes` more. */
  private reserve(bytes: number): void {
    if (this.at + bytes <= this.buffer.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.at + bytes));
    this.buffer.copy(bigger, 0, 0, this.at);
    this.buffer = bigger;
  }

  /**
   * Cells `first..last` of a row, in the order `slots` gives (column i is `row[slots[i]]`), each
   * after a comma but the first.
   */
  cells(row: readonly (CellValue | undefined)[], slots: readonly number[], first = 0, last = slots.length - 1): void {
    let most = 0;
    for (let i = first; i <= last; i++) most += mostBytes(row[slots[i] as number]) + 1;
    this.reserve(most);
    const { buffer } = this;
    let at = this.at;
    for (let i = first; i <= last; i++) {
      if (i > first) buffer[at++] = COMMA;
      at = writeCell(buffer, at, row[slots[i] as number]);
    }
    this.at = at;
  }

  byte(value: number): void {
    this.reserve(1);
    this.buffer[this.at++] = value;
  }

  newline(): void {
    this.byte(NEWLINE);
  }

  /** `count` commas: the empty (null) cells after a line's last written one. */
  commas(count: number): void {
    this.reserve(count);
    for (let i = 0; i < count; i++) this.buffer[this.at++] = COMMA;
  }

  /** Bytes `start..end` of `source`, as they are. */
  copy(source: Buffer, start: number, end: number): void {
    if (end <= start) return;
    this.reserve(end - start);
    this.at += source.copy(this.buffer, this.at, start, end);
  }
}
