// The bench's baseline: what a careful hand-written script does. Fetches the same pages as the
// export (limit 1000, the same optional properties: the catalog's lead_source_id and job_title, and
// custom fields), strictly one after another with undici,
// JSON.parses each and writes NDJSON lines to a file.
import { createWriteStream } from 'node:fs';
import { request } from 'undici';

const [apiUrl, token, out] = process.argv.slice(2);
const file = createWriteStream(out);
let offset = 0;
let records = 0;
for (;;) {
  const url = `${apiUrl}/contacts?limit=1000&offset=${offset}&optional_properties=lead_source_id,job_title,custom_fields`;
  const response = await request(url, { headers: { authorization: `Bearer ${token}` } });
  if (response.statusCode !== 200) throw new Error(`${url}: ${response.statusCode}`);
  const body = JSON.parse(await response.body.text());
  let chunk = '';
  for (const contact of body.contacts) chunk += `${JSON.stringify(contact)}\n`;
  if (!file.write(chunk)) await new Promise((resolve) => file.once('drain', resolve));
  records += body.contacts.length;
  if (body.contacts.length < 1000) break;
  offset += 1000;
}
await new Promise((resolve) => file.end(resolve));
console.error(`baseline: ${records} records`);
