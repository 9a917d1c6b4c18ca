import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Every layer imports fs/ (auth included), so fs/ must import none of them (DESIGN.md section 1).
describe('src/fs imports', () => {
  it('use only node: modules, each other and src/errors.ts', () => {
    const folder = join(import.meta.dirname, '..', '..', 'src', 'fs');
    const outside: string[] = [];
    for (const name of readdirSync(folder).filter((n) => n.endsWith('.ts'))) {
      const text = readFileSync(join(folder, name), 'utf8');
      for (const [, from] of text.matchAll(/from '([^']+)'/g)) {
        if (from!.startsWith('node:') || /^\.\/[\w-]+\.js$/.test(from!) || from === '../errors.js') continue;
        outside.push(`${name}: ${from}`);
      }
    }
    expect(outside).toEqual([]);
  });
});
