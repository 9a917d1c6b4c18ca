/**
 * The elements of one top-level JSON array, split from text fed in chunks of any size, so a JSON
 * input is read with the memory of one element, never of the whole file. Only the array's own
 * punctuation is checked here (tracking strings, escapes and depth to find where an element
 * ends); each element is then read by JSON.parse, which checks the rest.
 */
import { InputError } from '../errors.js';

const JSON_HINT = 'A JSON input is one array of objects, one per record: [{"email": "a@example.com"}, ...]. Fix the file and run again.';

type State =
  /** Before the `[`. */
  | 'start'
  /** After `[`: an element or `]`. */
  | 'first'
  /** After `,`: an element. */
  | 'element'
  /** Inside an element (an object). */
  | 'inside'
  /** After an element: `,` or `]`. */
  | 'separator'
  /** After the `]`: only whitespace. */
  | 'done';

const isWhitespace = (code: number) => code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;

function kindOf(char: string): string {
  if (char === '[') return 'an array';
  if (char === '"') return 'a string';
  if (char === 't' || char === 'f') return 'a boolean';
  if (char === 'n') return 'null';
  if (char === '-' || (char >= '0' && char <= '9')) return 'a number';
  return `"${char}"`;
}

export interface JsonElement {
  /** 1-based position in the array. */
  index: number;
  value: Record<string, unknown>;
}

export class JsonArraySplitter {
  private state: State = 'start';
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** The current element's text, in the pieces the chunks gave. */
  private pieces: string[] = [];
  /** Elements started so far. */
  private count = 0;

  /** `file` as the user named it, for messages. */
  constructor(private readonly file: string) {}

  /** Whether anything but whitespace has been seen. */
  get started(): boolean {
    return this.state !== 'start';
  }

  /** The complete elements this chunk ends, parsed. */
  push(chunk: string): JsonElement[] {
    const elements: JsonElement[] = [];
    let from = 0;
    for (let i = 0; i < chunk.length; i++) {
      const code = chunk.charCodeAt(i);
      if (this.state === 'inside') {
        if (this.inString) {
          if (this.escaped) this.escaped = false;
          else if (code === 0x5c) this.escaped = true;
          else if (code === 0x22) this.inString = false;
        } else if (code === 0x22) this.inString = true;
        else if (code === 0x7b || code === 0x5b) this.depth++;
        else if (code === 0x7d || code === 0x5d) {
          if (--this.depth === 0) {
            this.pieces.push(chunk.slice(from, i + 1));
            elements.push(this.parseElement());
            this.state = 'separator';
          }
        }
        continue;
      }
      if (isWhitespace(code)) continue;
      if (this.between(chunk[i]!)) {
        from = i;
        this.depth = 1;
      }
    }
    if (this.state === 'inside') this.pieces.push(chunk.slice(from));
    return elements;
  }

  /** Checks the array was closed; call after the last chunk. */
  end(): void {
    if (this.state === 'start' || this.state === 'done') return;
    const where = this.state === 'inside' ? `in element ${this.count}` : `after element ${this.count}`;
    throw new InputError(
      { file: this.file, row: this.state === 'inside' ? this.count : undefined },
      `the JSON ends ${where}, before the array's closing ]: the file is cut short`,
      {
        hint: 'The file is probably truncated: export or save it again, completely, and run again.',
      },
    );
  }

  /** One character outside any element: the array's punctuation. True when it starts an element. */
  private between(char: string): boolean {
    switch (this.state) {
      case 'start':
        if (char !== '[') {
          const ndjson = char === '{' ? ' (one object per line is NDJSON: name the file .ndjson or pass --format ndjson)' : '';
          throw new InputError({ file: this.file }, `is not a JSON array: it starts with ${kindOf(char)}${ndjson}`, { hint: JSON_HINT });
        }
        this.state = 'first';
        return false;
      case 'first':
        if (char === ']') {
          this.state = 'done';
          return false;
        }
        this.startElement(char);
        return true;
      case 'element':
        this.startElement(char);
        return true;
      case 'separator':
        if (char === ',') this.state = 'element';
        else if (char === ']') this.state = 'done';
        else this.fail(this.count, `expected "," or "]" after element ${this.count}, found ${kindOf(char)}`);
        return false;
      default:
        this.fail(undefined, `has text after the array's closing ] (${kindOf(char)})`);
    }
  }

  private startElement(char: string): void {
    this.count++;
    if (char !== '{') {
      const what = char === ']' ? 'missing: the array has a "," before "]"' : `${kindOf(char)}, not an object`;
      this.fail(this.count, `element ${this.count} is ${what}`);
    }
    this.state = 'inside';
    this.inString = false;
    this.escaped = false;
  }

  private parseElement(): JsonElement {
    const text = this.pieces.length === 1 ? this.pieces[0]! : this.pieces.join('');
    this.pieces = [];
    try {
      return { index: this.count, value: JSON.parse(text) as Record<string, unknown> };
    } catch (error) {
      this.fail(this.count, `element ${this.count} is not valid JSON (${(error as Error).message})`);
    }
  }

  private fail(row: number | undefined, message: string): never {
    throw new InputError({ file: this.file, row }, message, { hint: JSON_HINT });
  }
}
