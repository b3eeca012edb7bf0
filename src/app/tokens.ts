/** Nest injection tokens for values built at boot. */
export const APP_CONFIG = Symbol('APP_CONFIG');
export const REDIS_URL = Symbol('REDIS_URL');
export const STORAGE = Symbol('STORAGE');
