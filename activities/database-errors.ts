// An activity whose write PostgreSQL refuses for the data itself (SQLSTATE class 22, or class 23 that its
// repository did not expect) fails the same way on every retry: without this, an activity with no
// attempt limit retries for ever and its document never moves. Such an error becomes a non-retryable
// failure the workflow and the Temporal UI show, in words an operator can act on. Its message and
// details carry no value from the row (db/errors.ts): failures are kept in the workflow history.
import { ApplicationFailure } from '@temporalio/common';
import { databaseDataError, describeDatabaseDataError } from '../db/errors';
import { FAILURE_TYPES } from '../messages/failure-types';

/** The non-retryable failure for a database data error, or undefined when `err` is none. */
export function databaseDataFailure(err: unknown): ApplicationFailure | undefined {
  if (err instanceof ApplicationFailure) return undefined;
  const found = databaseDataError(err);
  if (!found) return undefined;
  const { description: _description, ...where } = found;
  return ApplicationFailure.create({
    type: FAILURE_TYPES.databaseRefusedData,
    message: `The database refused this document's data: ${describeDatabaseDataError(found)}. Retrying cannot help; correct the data, then retry or send the document back.`,
    nonRetryable: true,
    details: [where],
    // No `cause`: it would carry the server's message, which can quote the value.
  });
}

type AsyncFunction = (...args: never[]) => Promise<unknown>;

/** Every activity of `activities`, each turning a database data error into `databaseDataFailure`. */
export function withDatabaseDataFailures<T extends Record<string, AsyncFunction>>(activities: T): T {
  const wrapped: Record<string, AsyncFunction> = {};
  for (const [name, activity] of Object.entries(activities)) {
    wrapped[name] = async (...args: never[]) => {
      try {
        return await activity(...args);
      } catch (err) {
        throw databaseDataFailure(err) ?? err;
      }
    };
  }
  return wrapped as T;
}
