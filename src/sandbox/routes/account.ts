/** The account-wide endpoints: profile, settings, locales, merchants, the OAuth userinfo and the `/model` descriptions. */
import { countries, customFieldsByResource, optionalPropertiesByResource, provinces, type Rec } from '../generate.js';
import type { Store } from '../store.js';
import { ok, type ApiResponse } from './http.js';
import { must, notFound } from './records.js';
import { bodyObject } from './request.js';
import type { RouteTable } from './table.js';

function modelBody(resource: string): ApiResponse {
  return {
    status: 200,
    body: { custom_fields: customFieldsByResource[resource] ?? [], optional_properties: optionalPropertiesByResource[resource] ?? [] },
  };
}

function accountProfile(store: Store): Rec {
  return (
    store.singletons.get('account-profile') ?? {
      name: 'Sandbox, "Demo" Co. ☕',
      email: 'owner@sandbox.example.com',
      phone: '0044 20 7946 0000',
      phone_ext: '',
      website: 'https://sandbox.example.com',
      time_zone: 'America/New_York',
      currency_code: 'USD',
      language_tag: 'en-US',
      logo_url: '',
      business_type: 'Consulting',
      business_goals: ['Grow Business', 'Convert more leads'],
      business_primary_color: '#1a73e8',
      business_secondary_color: '#ffffff',
      address: {
        field: 'BILLING',
        line1: '1 Main St',
        line2: '',
        locality: 'Boston',
        region: 'US-MA',
        postal_code: '02110',
        zip_code: '02110',
        zip_four: '',
        country_code: 'USA',
      },
    }
  );
}

function configuration(): Rec {
  return {
    application: {
      company: {
        name: 'Sandbox Co.',
        email: 'owner@sandbox.example.com',
        phone: '0044 20 7946 0000',
        phone_ext: '',
        caller_id_number: '',
        street_address_1: '1 Main St',
        street_address_2: '',
        city: 'Boston',
        state: 'MA',
        zip: '02110',
        country: 'United States',
        website: 'https://sandbox.example.com',
        web_logo_url: '',
      },
      default_view_locale: 'en_US',
      features_enabled: { marketing: true },
      time_zone: 'America/New_York',
    },
    contact: {
      address_labels: { line_1: 'Street Address 1', line_2: 'Street Address 2', line_3: '' },
      contact_types: 'Lead,Customer,Other',
      default_new_contact_form: 'default',
      disable_contact_edit_in_client_login: false,
      fax_types: 'Work,Home',
      phone_types: 'Work,Home,Mobile,Other',
      suffix_types: 'Jr.,Sr.,III',
      title_types: 'Dr.,Mr.,Mrs.,Ms.',
    },
    ecommerce: {
      credit_card_types: 'Visa,MasterCard',
      currency: 'USD',
      default_charge_max_retry_attempts: 3,
      default_country: 'United States',
      default_merchant: 'Sandbox Payments',
      default_number_of_days_between_charge_attempts: 1,
      default_tax: '',
      default_to_auto_charge: true,
      merchant_account_max_retry_attempts: 3,
      payment_types: 'Credit Card,Cash,Check',
      promo_codes: '',
      track_cost_per_unit: false,
      track_inventory: false,
    },
    email: {
      append_contact_key_to_links: false,
      default_opt_in_link: '',
      default_opt_out_link: '',
      hide_emails_to_and_from_domains: '',
      whitelisted_domains: '',
    },
    forms: { spam_filters_enabled: true },
    fulfillment: { default_message_fields: '', default_message_to: '' },
    invoice: { tax_label: 'Tax' },
    affiliate: {
      choose_affiliate: false,
      commission: { calculation_type: 'PERCENT', levels: 1, participant_types: '' },
      custom_affiliate_url: '',
      display_affiliate_ip_address: false,
      do_not_notify_affiliate: false,
      skip_pay_if_unused: false,
      use_referral_history_if_no_tracking_cookie: false,
    },
    appointment: { appointment_types: 'Call,Meeting', share_opportunity_with_related_user: false },
    note: { appointment_types: 'Call,Email', share_opportunity_with_related_user: false },
    task: { appointment_types: 'Call,Email', share_opportunity_with_related_user: false },
    opportunity: {
      default_stage: 'New',
      states: {
        active: { stages: 'New,Qualified,Proposal, sent' },
        win: { stage: 'Won 🎉', reasons: 'Price,Fit' },
        loss: { stage: 'Lost', reasons: 'Budget' },
      },
    },
    template: { default_country_code: 1, default_user_id: 1 },
  };
}

export function addAccountRoutes(table: RouteTable): void {
  const { add, collection: c, store } = table;
  add('GET', '/account/profile', () => ok(accountProfile(store)));
  add('PUT', '/account/profile', (req) => {
    const body = bodyObject(req);
    const record = { ...accountProfile(store), ...body };
    store.singletons.set('account-profile', record);
    return ok(record);
  });
  add('GET', '/setting/application/configuration', () => ok(configuration()));
  add('GET', '/setting/application/enabled', () => ok({ value: 'true' }));
  add('GET', '/setting/contact/optionTypes', () => ok({ value: 'Lead,Customer,Other' }));
  add('GET', '/locales/countries', () => ok({ countries }));
  add('GET', '/locales/countries/{id}/provinces', (req) => {
    const code = (req.params['id'] ?? '').toUpperCase();
    if (!(code in countries)) throw notFound('Country', code);
    return ok({ provinces: provinces[code] ?? {} });
  });
  add('GET', '/locales/defaultOptions', () =>
    ok({
      contact_types: ['Lead', 'Customer', 'Other'],
      fax_types: ['Work', 'Home'],
      phone_types: ['Work', 'Home', 'Mobile', 'Other'],
      suffix_types: ['Jr.', 'Sr.', 'III'],
      title_types: ['Dr.', 'Mr.', 'Mrs.', 'Ms.'],
    }),
  );
  add('GET', '/oauth/connect/userinfo', () => {
    const user = must(c('users'), 1, 'User');
    return ok({
      sub: '1',
      email: user['email_address'],
      given_name: user['given_name'],
      family_name: user['family_name'],
      middle_name: '',
      preferred_name: '',
      global_user_id: user['global_user_id'],
      infusionsoft_id: user['infusionsoft_id'],
      is_admin: true,
    });
  });
  add('GET', '/merchants', () =>
    ok({
      default_merchant_account: 1,
      merchant_accounts: [
        { id: 1, account_name: 'Sandbox Payments', type: 'Sandbox', is_test: true },
        { id: 2, account_name: 'PayPal, "legacy"', type: 'PayPal', is_test: true },
      ],
    }),
  );

  // The custom fields and optional properties of the resources that have them.
  for (const resource of [
    'affiliates',
    'appointments',
    'companies',
    'contacts',
    'notes',
    'opportunities',
    'orders',
    'subscriptions',
    'tasks',
  ]) {
    add('GET', `/${resource}/model`, () => modelBody(resource));
  }
}
