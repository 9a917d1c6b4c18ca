/** Files and their content. */
import { recordRandom } from '../random.js';
import { type Generator, fk, iso, updated } from './context.js';

export const files: Generator = (ctx, id) => {
  const r = recordRandom(ctx.seed, 'files', id);
  const lastUpdated = updated(ctx, 'files', id);
  const name = r.pick(['invoice 0042.pdf', 'photo, beach.jpg', 'contrat signé.pdf', '名刺.png', 'notes "final".txt']);
  return {
    id,
    file_name: name,
    file_size: Buffer.byteLength(fileContent(id)),
    file_box_type: r.pick(['Application', 'Contact', 'Attachment']),
    category: r.pick(['Documents', 'Attachments']),
    contact_id: fk(ctx, 'contacts', r),
    created_by: 1,
    public: r.bool(0.2),
    remote_file_key: `key-${id}`,
    download_url: `https://files.example.com/download/${id}`,
    date_created: iso(lastUpdated - 86400000),
    last_updated: iso(lastUpdated),
  };
};

/** The content of a generated file (its size is `file_size`). */
export function fileContent(id: number): string {
  return `Sandbox file ${id}, "demo" ✓\n${'x'.repeat(id % 50)}`;
}
