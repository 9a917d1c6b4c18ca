/**
 * The one place where the catalog knowingly differs from Keap's v1 spec, each with its reason.
 * The conformance test skips exactly these checks (and fails if an exception is no longer needed,
 * so this list cannot rot).
 *
 * Keys: `<resource>:field:<name>`, `<resource>:component:<field>.<component>`,
 * `<resource>:action:<id>:<check>`, `<resource>:gathered:<name>:<check>`,
 * `<resource>:body:<action id>:<dot path>` (or `:required`, `:rule`), `<resource>:path:<action id>:<field>`.
 */
export const specExceptions: Record<string, string> = {
  'appointments:field:id':
    "The spec's Appointment schema has no id, yet update and delete address /appointments/{appointmentId}; " +
    'the id must come from somewhere, and the seed uses one too (item.appointmentid). Real responses are assumed to carry it (UNCONFIRMED).',
  'tasks:field:id':
    "The spec's Task schema has no id, yet read single, update and delete address /tasks/{taskId}; " +
    'the seed declares id as the key. Real responses are assumed to carry it (UNCONFIRMED).',
  'emails:body:create:id':
    "The create schema is the read schema (EmailWithContent), id included; an id is the server's to assign, " +
    'so the catalog keeps id read-only and import never sends it.',
  'opportunities:body:create:id':
    "The create schema is the read schema (Opportunity), id included; an id is the server's to assign, so the catalog keeps id read-only.",
  'opportunities:body:update:id':
    'The update body is the PUT body (see bodyStandIns), which is the read schema with id; the id goes in the path, not the body.',
  'tasks:body:create:creation_date':
    'The create schema is the read schema (Task); creation_date is stamped by Keap, so the catalog keeps it read-only.',
  'tasks:body:create:modification_date':
    'The create schema is the read schema (Task); modification_date is stamped by Keap, so the catalog keeps it read-only.',
  'tasks:body:update:creation_date':
    'The update schema is the read schema (Task); creation_date is stamped by Keap, so the catalog keeps it read-only.',
  'tasks:body:update:modification_date':
    'The update schema is the read schema (Task); modification_date is stamped by Keap, so the catalog keeps it read-only.',
  'tasks:path:update:id':
    'The spec types {taskId} as a string on every task path; the catalog keeps the task id an integer like every other record id, ' +
    "and an integer's digits are the same text in a path.",
  'tasks:path:delete:id':
    'The spec types {taskId} as a string on every task path; the catalog keeps the task id an integer like every other record id, ' +
    "and an integer's digits are the same text in a path.",
};

/**
 * Write operations whose spec has no request schema but whose description names another
 * operation's body as theirs; the body check uses that one. Key: `<resource>:<action id>`.
 */
export const bodyStandIns: Record<string, { method: string; path: string; why: string }> = {
  'opportunities:update': {
    method: 'PUT',
    path: '/opportunities',
    why: 'PATCH /opportunities/{opportunityId} declares no body; its description says the payload is identical to updateOpportunityUsingPUT.',
  },
};
