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

/**
 * Where the sandbox's write routes knowingly differ from the spec's request description, each with
 * its reason. Keyed by the sandbox's `METHOD template`. `requires`: properties the sandbox requires
 * beyond the spec's `required`; `bodyWithoutSchema`: the route takes a body the spec does not describe.
 * test/sandbox/write-conformance.test.ts checks exactly these and fails if one is no longer needed.
 */
export const sandboxSpecExceptions: Record<string, { requires?: string[]; bodyWithoutSchema?: true; why: string }> = {
  'POST /contacts': {
    requires: ['email_addresses'],
    why:
      'Keap refuses a new contact with neither an email address nor a phone number (API-FACTS section 6); ' +
      'a JSON schema cannot say "one of", so the spec requires nothing. A phone number alone also does.',
  },
  'PUT /contacts': {
    requires: ['email_addresses'],
    why: 'The upsert finds its contact by email; without one it creates, and a new contact needs an email address or phone number (as POST /contacts).',
  },
  'POST /hooks': {
    requires: ['eventKey', 'hookUrl'],
    why: 'A hook subscription without an event or a URL could never deliver; the spec marks nothing required in RestHookRequest.',
  },
  'PUT /hooks/{id}': {
    requires: ['eventKey', 'hookUrl'],
    why: 'Replaces the subscription: as POST /hooks, an event and a URL are what a subscription is.',
  },
  'POST /subscriptions': {
    requires: ['subscription_plan_id'],
    why: "A subscription bills a product's plan; Keap's v2 CreateSubscriptionRequest requires subscription_plan_id (v1 spec requires only contact_id).",
  },
  'POST /orders/{id}/payments': {
    requires: ['payment_amount'],
    why: "A payment without an amount records nothing; Keap's v2 RestCreatePaymentRequest requires payment_amount (v1 CreatePayment requires nothing).",
  },
  'PATCH /opportunities/{id}': {
    bodyWithoutSchema: true,
    why:
      'updatePropertiesOnOpportunityUsingPATCH has no requestBody in the spec, yet an update needs the properties to change; ' +
      'the sandbox takes the UpdateOpportunityRequest properties, as POST /opportunities does.',
  },
};
