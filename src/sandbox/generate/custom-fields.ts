/** The custom fields each resource has, and their generated values. */
import { type Random, recordRandom } from '../random.js';
import { noteBodies, slug } from './words.js';

export interface CustomFieldMeta {
  id: number;
  label: string;
  field_name: string;
  field_type: string;
  record_type: string;
  options: Array<{ id: string; label: string; options: unknown[] }>;
  default_value?: string;
}

function field(id: number, label: string, field_type: string, record_type: string, options: string[] = []): CustomFieldMeta {
  return {
    id,
    label,
    field_name: `_${slug(label).slice(0, 20)}${id}`,
    field_type,
    record_type,
    options: options.map((label, i) => ({ id: String(i + 1), label, options: [] })),
  };
}

export const customFieldsByResource: Record<string, CustomFieldMeta[]> = {
  contacts: [
    field(7, 'Favorite Color', 'Dropdown', 'CONTACT', ['Red', 'Green', 'Blue', 'Bleu clair']),
    field(9, 'Lifetime Value (€)', 'Currency', 'CONTACT'),
    field(11, 'Date de naissance', 'Date', 'CONTACT'),
    field(13, '会員番号', 'Text', 'CONTACT'),
    field(15, 'Notes, misc', 'TextArea', 'CONTACT'),
    field(17, 'Is "VIP"?', 'YesNo', 'CONTACT'),
    // One of each other type Keap has, so that a round trip meets them all (issue 13).
    field(19, 'Last visit', 'DateTime', 'CONTACT'),
    field(27, 'Contact by', 'ListBox', 'CONTACT', ['Email', 'Phone', 'Post']),
    field(29, 'Territory', 'Drilldown', 'CONTACT'),
    field(35, 'Account manager', 'User', 'CONTACT'),
    field(37, 'Visits', 'WholeNumber', 'CONTACT'),
    field(39, 'Discount %', 'Percent', 'CONTACT'),
  ],
  companies: [
    field(21, 'Industry', 'Dropdown', 'COMPANY', ['Retail', 'SaaS', 'Manufacturing']),
    field(23, 'Employees', 'WholeNumber', 'COMPANY'),
    field(25, 'Région préférée', 'Text', 'COMPANY'),
  ],
  opportunities: [field(31, 'Deal Source', 'Text', 'OPPORTUNITY'), field(33, 'Close Probability %', 'Percent', 'OPPORTUNITY')],
  affiliates: [],
  appointments: [field(41, 'Meeting Room', 'Text', 'TASK_NOTE_APPOINTMENT')],
  notes: [field(43, 'Call Outcome', 'Text', 'TASK_NOTE_APPOINTMENT')],
  tasks: [field(45, 'Priority Reason', 'Text', 'TASK_NOTE_APPOINTMENT')],
  orders: [field(51, 'PO Number', 'Text', 'ORDER')],
  subscriptions: [field(53, 'Plan Notes', 'Text', 'SUBSCRIPTION')],
};

export const optionalPropertiesByResource: Record<string, string[]> = {
  contacts: ['custom_fields', 'job_title', 'lead_source_id'],
  companies: ['custom_fields', 'fax_number', 'notes'],
  opportunities: ['custom_fields'],
};

function customValue(r: Random, meta: CustomFieldMeta): unknown {
  if (r.bool(0.15)) return null;
  switch (meta.field_type) {
    case 'Currency':
      return r.money(0, 25000);
    case 'WholeNumber':
      return r.int(0, 5000);
    case 'Percent':
      return r.int(0, 100);
    case 'YesNo':
      return r.bool();
    case 'Date':
      return `19${r.int(50, 99)}-0${r.int(1, 9)}-1${r.int(0, 9)}`;
    case 'Dropdown':
      return r.pick(meta.options).label;
    case 'DateTime':
      return `20${r.int(10, 25)}-0${r.int(1, 9)}-1${r.int(0, 9)}T${r.int(10, 23)}:${r.int(10, 59)}:00.000Z`;
    case 'ListBox':
      return meta.options
        .filter(() => r.bool())
        .map((option) => option.label)
        .join(',');
    case 'Drilldown':
      return r.pick(['Europe > France', 'Asia > Japan', 'America > Canada']);
    case 'User':
      return r.int(1, 3);
    case 'TextArea':
      return r.pick(noteBodies);
    default:
      return r.pick(['ABC-00123', '', 'Zürich, CH', '東京', 'Has "quotes", commas', '😀']);
  }
}

export function customFields(seed: number, resource: string, id: number): Array<{ id: number; content: unknown }> {
  const r = recordRandom(seed, `${resource}:custom`, id);
  return (customFieldsByResource[resource] ?? []).map((meta) => ({ id: meta.id, content: customValue(r, meta) }));
}
