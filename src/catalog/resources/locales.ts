import type { ResourceDef } from '../types.js';
import { str } from '../fields.js';

export const countries: ResourceDef = {
  name: 'countries',
  aliases: ['country', 'Country', 'locales'],
  title: 'Country',
  description: 'Countries Keap knows (code and name), with their provinces on request.',
  fields: [str('code', { key: true, readOnly: true }), str('name', { readOnly: true })],
  keyFields: ['code'],
  gathered: [
    {
      name: 'provinces',
      path: '/locales/countries/{code}/provinces',
      shape: { kind: 'map', key: 'provinces', keyName: 'code', valueName: 'name' },
      operationId: 'listCountriesUsingGET_1',
      components: ['code', 'name'],
      description: "The country's provinces (one request per country).",
    },
  ],
  actions: [
    {
      id: 'read',
      kind: 'read',
      title: 'Read',
      method: 'GET',
      path: '/locales/countries',
      shape: { kind: 'map', key: 'countries', keyName: 'code', valueName: 'name' },
      operationId: 'listCountriesUsingGET',
    },
  ],
  deviations: [
    {
      what: 'Read is a map, not a page',
      why: 'GET /locales/countries returns {countries: {CODE: name}}; records are made from its entries.',
    },
  ],
};
