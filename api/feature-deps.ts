// What the route groups of the operations features get: the database for their own tables, the client
// layer for workflows, the environment for their settings.
import type { Knex } from 'knex';
import type { DocumentClient } from '../client';
import type { Env } from '../config/env';

export interface FeatureRouteDeps {
  db: Knex;
  documents: DocumentClient;
  env: Env;
  /** The Temporal namespace, for links into the Temporal UI. */
  namespace: string;
}
