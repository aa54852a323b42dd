// Public entry of harness/load (see README.md).
export { createLoad, type LoadDriver, type LoadOptions, type LoadTarget, type LoadTotals } from './driver.ts';
export { LoadError, type LoadErrorCode } from './errors.ts';
