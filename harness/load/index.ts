// Public entry of harness/load (see README.md).
export { createLoad, type LoadDriver, type LoadOptions, type LoadTarget, type LoadTotals } from './driver.ts';
export { LoadError, type LoadErrorCode } from './errors.ts';
export { API_PROFILES, AUTH_SCHEMES, type ApiProfileName, type AuthScheme, type ClientApiConfig, type HeaderTemplate } from './client-api.ts';
export { resolveClientOptions, withUpstream, type ClientOptions, type ResolvedClient } from './client-options.ts';
