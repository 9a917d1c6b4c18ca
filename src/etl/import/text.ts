/**
 * An import input's bytes as text, streamed: UTF-8 with or without a byte-order mark, UTF-16 LE or
 * BE with one. Anything else is refused with the line it goes wrong on, since a wrongly decoded
 * file would otherwise send mangled names to Keap: bytes that are not UTF-8 (a Latin-1 or Windows
 * export), and NUL characters (UTF-16 without a byte-order mark, or a binary file).
 */
import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { errorCode } from '../../fs/index.js';
import { InputError } from '../errors.js';

const SAVE_AS_UTF8 = 'Save the file as UTF-8 (in Excel: "CSV UTF-8 (Comma delimited)") and run the import again.';

type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be';

function encodingOf(start: Buffer): { encoding: Encoding; bomLength: number } {
  if (start[0] === 0xef && start[1] === 0xbb && start[2] === 0xbf) return { encoding: 'utf-8', bomLength: 3 };
  if (start[0] === 0xff && start[1] === 0xfe) return { encoding: 'utf-16le', bomLength: 2 };
  if (start[0] === 0xfe && start[1] === 0xff) return { encoding: 'utf-16be', bomLength: 2 };
  return { encoding: 'utf-8', bomLength: 0 };
}

/** How many bytes a UTF-8 sequence starting with `lead` has (0: not a lead byte). */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/** The length of `bytes` without a multi-byte sequence cut off at its end (completed by the next chunk). */
function completeLength(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back]!;
    if ((byte & 0xc0) !== 0x80) {
      const length = sequenceLength(byte);
      return length > back ? bytes.length - back : bytes.length;
    }
  }
  return bytes.length;
}

/** The offset of the first byte that is not part of valid UTF-8 (only called once `isUtf8` said there is one). */
function firstInvalidByte(bytes: Buffer): number {
  let i = 0;
  while (i < bytes.length) {
    const length = sequenceLength(bytes[i]!);
    if (length === 0) return i;
    for (let k = 1; k < length; k++) if (i + k >= bytes.length || (bytes[i + k]! & 0xc0) !== 0x80) return i;
    // Overlong forms and surrogates have valid-looking continuation bytes; the second byte tells.
    const second = bytes[i + 1]!;
    if (length === 3 && ((bytes[i] === 0xe0 && second < 0xa0) || (bytes[i] === 0xed && second > 0x9f))) return i;
    if (length === 4 && ((bytes[i] === 0xf0 && second < 0x90) || (bytes[i] === 0xf4 && second > 0x8f))) return i;
    i += length;
  }
  return bytes.length;
}

function countNewlines(bytes: Buffer, end = bytes.length): number {
  let count = 0;
  for (let at = bytes.indexOf(10); at !== -1 && at < end; at = bytes.indexOf(10, at + 1)) count++;
  return count;
}

function countNewlinesIn(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

function notUtf8(file: string, line: number, byte: number | undefined): InputError {
  const what =
    byte === undefined
      ? 'ends in the middle of a UTF-8 character: the file is cut short, or is not UTF-8 text'
      : `has a byte (0x${byte.toString(16).toUpperCase()}) that is not UTF-8: the file is not UTF-8 text (perhaps Latin-1 or Windows-1252)`;
  return new InputError({ file, row: line }, what, {
    hint: SAVE_AS_UTF8,
  });
}

function nulCharacter(file: string, line: number): InputError {
  return new InputError(
    { file, row: line },
    'has a NUL character: the file is not plain UTF-8 text (perhaps UTF-16 without a byte-order mark, or not text at all)',
    {
      hint: SAVE_AS_UTF8,
    },
  );
}

function readFailure(file: string, error: unknown): InputError {
  const code = errorCode(error);
  const why =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EISDIR'
        ? 'is a folder, not a file'
        : code === 'EACCES' || code === 'EPERM'
          ? 'cannot be read: permission denied'
          : `cannot be read (${code ?? (error as Error).message})`;
  return new InputError({ file }, why, { hint: 'Check the path and that the file is readable, then run again.' });
}

/** Decodes UTF-8, keeping a sequence cut by a chunk boundary for the next chunk, refusing bad bytes and NULs. */
class Utf8Text {
  private carry: Buffer = Buffer.alloc(0);
  private lines = 1;
  constructor(private readonly file: string) {}

  decode(chunk: Buffer): string {
    const bytes = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    const complete = completeLength(bytes);
    const piece = bytes.subarray(0, complete);
    this.carry = Buffer.from(bytes.subarray(complete));
    if (!isUtf8(piece)) {
      const bad = firstInvalidByte(piece);
      throw notUtf8(this.file, this.lines + countNewlines(piece, bad), piece[bad]);
    }
    const nul = piece.indexOf(0);
    if (nul !== -1) throw nulCharacter(this.file, this.lines + countNewlines(piece, nul));
    this.lines += countNewlines(piece);
    return piece.toString('utf8');
  }

  end(): void {
    if (this.carry.length) throw notUtf8(this.file, this.lines, undefined);
  }
}

/** Decodes UTF-16 (the byte-order mark chose the byte order), refusing unpaired surrogates and NULs. */
class Utf16Text {
  private readonly decoder: TextDecoder;
  private lines = 1;
  constructor(
    private readonly file: string,
    private readonly encoding: 'utf-16le' | 'utf-16be',
  ) {
    this.decoder = new TextDecoder(encoding, { fatal: true });
  }

  decode(chunk: Buffer, final = false): string {
    let text: string;
    try {
      text = this.decoder.decode(chunk, { stream: !final });
    } catch {
      // Where: the first replacement character a lenient decoder puts for the bad bytes.
      const lenient = new TextDecoder(this.encoding).decode(chunk);
      const bad = lenient.indexOf('\uFFFD');
      const line = this.lines + (bad === -1 ? 0 : countNewlinesIn(lenient.slice(0, bad)));
      throw new InputError({ file: this.file, row: line }, 'is not valid UTF-16 text although it starts with a UTF-16 byte-order mark', {
        hint: SAVE_AS_UTF8,
      });
    }
    const nul = text.indexOf('\0');
    if (nul !== -1) throw nulCharacter(this.file, this.lines + countNewlinesIn(text.slice(0, nul)));
    this.lines += countNewlinesIn(text);
    return text;
  }
}

export interface TextOptions {
  /** Receives every byte read, byte-order mark included (the input's hash). */
  onBytes?: (bytes: Buffer) => void;
}

/**
 * Streams the text of `path` in chunks, without its byte-order mark. Throws InputError naming
 * `file` (as the user named it) and the line of the first byte that cannot be decoded.
 */
export async function* readText(path: string, file: string, options: TextOptions = {}): AsyncGenerator<string> {
  let decoder: Utf8Text | Utf16Text | undefined;
  let start = Buffer.alloc(0);
  const stream = createReadStream(path);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      options.onBytes?.(chunk);
      let bytes = chunk;
      if (!decoder) {
        // The byte-order mark needs the first three bytes, which a tiny first chunk may not hold.
        start = Buffer.concat([start, chunk]);
        if (start.length < 3) continue;
        const { encoding, bomLength } = encodingOf(start);
        decoder = encoding === 'utf-8' ? new Utf8Text(file) : new Utf16Text(file, encoding);
        bytes = start.subarray(bomLength);
      }
      const text = decoder.decode(bytes);
      if (text) yield text;
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw readFailure(file, error);
  } finally {
    stream.destroy();
  }
  if (!decoder) {
    // A file of fewer than three bytes.
    const { encoding, bomLength } = encodingOf(start);
    decoder = encoding === 'utf-8' ? new Utf8Text(file) : new Utf16Text(file, encoding);
    const text = decoder.decode(start.subarray(bomLength));
    if (text) yield text;
  }
  if (decoder instanceof Utf8Text) decoder.end();
  else {
    const rest = decoder.decode(Buffer.alloc(0), true);
    if (rest) yield rest;
  }
}
