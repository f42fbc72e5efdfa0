export * from './config.js';
export * from './logger.js';
export * from './metrics.js';
export * from './db/migrate.js';
export * from './db/advisory-lock.js';
export * from './db/pool.js';
export * from './operator-tokens.js';
