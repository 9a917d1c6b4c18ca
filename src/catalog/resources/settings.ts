import type { ResourceDef } from '../types.js';
import { obj } from '../fields.js';

const same = { readOnly: true } as const;

export const applicationSettings: ResourceDef = {
  name: 'application-settings',
  aliases: ['application-setting', 'application_settings', 'settings', 'setting', 'configuration', 'Application Setting', 'Setting'],
  title: 'Application Setting',
  description: "The application's configuration: one record.",
  fields: [
    obj(
      'affiliate',
      [
        'choose_affiliate',
        'commission',
        'custom_affiliate_url',
        'display_affiliate_ip_address',
        'do_not_notify_affiliate',
        'skip_pay_if_unused',
        'use_referral_history_if_no_tracking_cookie',
      ],
      same,
    ),
    obj('application', ['company', 'default_view_locale', 'features_enabled', 'time_zone'], same),
    obj('appointment', ['appointment_types', 'share_opportunity_with_related_user'], same),
    obj(
      'contact',
      [
        'address_labels',
        'contact_types',
        'default_new_contact_form',
        'disable_contact_edit_in_client_login',
        'fax_types',
        'phone_types',
        'suffix_types',
        'title_types',
      ],
      same,
    ),
    obj(
      'ecommerce',
      [
        'credit_card_types',
        'currency',
        'default_charge_max_retry_attempts',
        'default_country',
        'default_merchant',
        'default_number_of_days_between_charge_attempts',
        'default_tax',
        'default_to_auto_charge',
        'merchant_account_max_retry_attempts',
        'payment_types',
        'promo_codes',
        'track_cost_per_unit',
        'track_inventory',
      ],
      same,
    ),
    obj(
      'email',
      [
        'append_contact_key_to_links',
        'default_opt_in_link',
        'default_opt_out_link',
        'hide_emails_to_and_from_domains',
        'whitelisted_domains',
      ],
      same,
    ),
    obj('forms', ['spam_filters_enabled'], same),
    obj('fulfillment', ['default_message_fields', 'default_message_to'], same),
    obj('invoice', ['tax_label'], same),
    obj('note', ['appointment_types', 'share_opportunity_with_related_user'], same),
    obj('opportunity', ['default_stage', 'states'], same),
    obj('task', ['appointment_types', 'share_opportunity_with_related_user'], same),
    obj('template', ['default_country_code', 'default_user_id'], same),
  ],
  keyFields: [],
  gathered: [
    {
      name: 'enabled',
      path: '/setting/application/enabled',
      shape: { kind: 'object' },
      pick: 'value',
      operationId: 'getApplicationEnabledUsingGET',
      description: 'Whether the application is enabled.',
    },
    {
      name: 'contactTypes',
      path: '/setting/contact/optionTypes',
      shape: { kind: 'object' },
      pick: 'value',
      operationId: 'getContactOptionTypesUsingGET',
      deprecated: true,
      description: 'Contact types (deprecated endpoint: the same list is in contact.contact_types).',
    },
  ],
  actions: [
    {
      id: 'read',
      kind: 'read',
      title: 'Read',
      method: 'GET',
      path: '/setting/application/configuration',
      shape: { kind: 'object' },
      operationId: 'getConfigurationUsingGET',
    },
  ],
  deviations: [
    {
      what: 'contactTypes is gathered from a deprecated endpoint',
      why: 'The spec deprecates GET /setting/contact/optionTypes in favour of /setting/application/configuration (contact.contact_types).',
    },
  ],
};
