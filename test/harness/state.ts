// What globalSetup leaves for globalTeardown; both run in jest's main process and share globalThis.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { TestPostgres } from './postgres';

export const HARNESS_STATE = Symbol.for('eclp-bridge.test-harness');

export interface HarnessState {
  temporal: TestWorkflowEnvironment;
  postgres: TestPostgres;
}
