// Helpers shared by the tests, the bench and the chaos run, one module per topic. Tests import from here;
// bench/ and scripts/ import the topic module they need, so that they load only that.
export * from './api-client';
export * from './api-checks';
export * from './database';
export * from './eclp';
export * from './http';
export * from './ports';
export * from './replay';
export * from './sales-order';
export * from './simulator';
export * from './sweeper';
export * from './timing';
export * from './tokens';
export * from './fixtures';
export * from './simulator-for-file';
export * from './webhook-receiver';
export * from './activities';
