/**
 * docs/resources.md is generated from the catalog. This test fails when it is stale;
 * `UPDATE_DOCS=1 npx vitest run test/catalog/docs.test.ts` (or `npm run docs`) rewrites it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { catalog } from '../../src/catalog/index.js';
import { renderResourcesMarkdown, resourcesMarkdownPath } from '../../scripts/resource-docs.js';

describe('docs/resources.md', () => {
  const markdown = renderResourcesMarkdown(catalog);

  it('is rendered the same way every time', () => {
    expect(renderResourcesMarkdown(catalog)).toBe(markdown);
  });

  it('documents every resource, action and deviation', () => {
    for (const resource of catalog) {
      expect(markdown).toContain(`## ${resource.name}\n`);
      for (const action of resource.actions)
        expect(markdown).toContain(`| \`${action.id}\` | ${action.title} | ${action.method} | \`${action.path}\` |`);
      for (const deviation of resource.deviations ?? [])
        expect(markdown).toContain(`| ${resource.name} | ${deviation.what.replace(/\|/g, '\\|')} |`);
    }
    expect(markdown).toContain('## Where we follow the spec, not the seed');
  });

  it('shows each write body with its required names, values, prose rules and charge flags', () => {
    const orders = markdown.slice(markdown.indexOf('## orders\n'), markdown.indexOf('## order-items\n'));
    expect(orders).toContain('| `order_items[].product_id` | integer | yes |  |');
    expect(orders).toContain('| `order_type` | string | yes | Offline, Online |');
    const contacts = markdown.slice(markdown.indexOf('## contacts\n'), markdown.indexOf('## orders\n'));
    expect(contacts).toContain('- Also required: at least one of email_addresses, phone_numbers (the spec says so only in prose:');
    expect(markdown).toContain('- Never sent true (true would charge a card): `auto_charge`');
    const files = markdown.slice(markdown.indexOf('## files\n'), markdown.indexOf('## countries\n'));
    expect(files).toContain(
      '**update**: PUT `/files/{id}`\n\n- Path from fields: `id`\n- Also required: contact_id when file_association is CONTACT',
    );
    expect(files).toContain('- Body: the same as `create`.');
  });

  it('matches the committed file', () => {
    const path = resourcesMarkdownPath();
    if (process.env['UPDATE_DOCS'] === '1') writeFileSync(path, markdown);
    const committed = existsSync(path) ? readFileSync(path, 'utf8') : '';
    expect(committed === markdown, `${path} is stale: run "npm run docs" (or UPDATE_DOCS=1 npx vitest run test/catalog/docs.test.ts)`).toBe(
      true,
    );
  });
});
