/** Applying and removing tags on contacts: both the contact side and the tag side of the API do it. */
import type { Store } from '../store.js';
import { now } from './records.js';

/** Keap's answer per id when applying tags: `[{"<id>": "SUCCESS"}, ...]` (a serialised Map.Entry each). */
type TagApplyStatus = 'SUCCESS' | 'DUPLICATE' | 'CONTACT_NOT_FOUND' | 'TAG_ID_NOT_FOUND';

/** Applies one tag to one contact; the spec answers no 404 here, only a status per id. */
export function applyTag(store: Store, contactId: number, tagId: number): TagApplyStatus {
  if (!store.collection('contacts').has(contactId)) return 'CONTACT_NOT_FOUND';
  if (!store.collection('tags').has(tagId)) return 'TAG_ID_NOT_FOUND';
  if (store.contactHasTag(contactId, tagId)) return 'DUPLICATE';
  store.contactTags.set(contactId, tagId, now());
  return 'SUCCESS';
}

export function untagContact(store: Store, contactId: number, tagId: number): void {
  store.contactTags.set(contactId, tagId, null);
}
