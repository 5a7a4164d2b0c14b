// Document types the bench can drive (`--type`). A new type is a driver here plus its baseline (a)
// workflow in bench/baselines/workflows.ts.
import { salesOrderDriver } from './sales-order';
import type { BenchDriver } from './types';

export const DRIVERS: Readonly<Record<string, BenchDriver>> = {
  [salesOrderDriver.name]: salesOrderDriver,
};

export const DEFAULT_DRIVER = salesOrderDriver.name;
