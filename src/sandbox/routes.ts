/**
 * The REST v1 endpoints: one route per (method, path template), added by one module per resource
 * family under routes/. Handlers read and write the Store and return a status and a JSON body; the
 * server adds auth, throttling, faults and logging.
 */
import type { Store } from './store.js';
import { addAccountRoutes } from './routes/account.js';
import { addAffiliateRoutes } from './routes/affiliates.js';
import { addAppointmentRoutes } from './routes/appointments.js';
import { addCampaignRoutes } from './routes/campaigns.js';
import { addCompanyRoutes } from './routes/companies.js';
import { addContactRoutes } from './routes/contacts.js';
import { addOrderRoutes, addSubscriptionRoutes } from './routes/ecommerce.js';
import { addEmailRoutes } from './routes/emails.js';
import { addFileRoutes } from './routes/files.js';
import { addHookRoutes } from './routes/hooks.js';
import type { Route } from './routes/http.js';
import { addNoteRoutes } from './routes/notes.js';
import { addOpportunityRoutes } from './routes/opportunities.js';
import { addProductRoutes } from './routes/products.js';
import { RouteTable } from './routes/table.js';
import { addTagRoutes } from './routes/tags.js';
import { addTaskRoutes } from './routes/tasks.js';
import { addUserRoutes } from './routes/users.js';

export { BAD_REQUEST, HttpError, type ApiRequest, type ApiResponse, type Route } from './routes/http.js';

export function buildRoutes(store: Store): Route[] {
  const table = new RouteTable(store);
  addAccountRoutes(table);
  addContactRoutes(table);
  addCompanyRoutes(table);
  addTagRoutes(table);
  addUserRoutes(table);
  addAffiliateRoutes(table);
  addAppointmentRoutes(table);
  addCampaignRoutes(table);
  addOrderRoutes(table);
  addSubscriptionRoutes(table);
  addEmailRoutes(table);
  addFileRoutes(table);
  addHookRoutes(table);
  addNoteRoutes(table);
  addOpportunityRoutes(table);
  addProductRoutes(table);
  addTaskRoutes(table);
  return table.sorted();
}
