export * from './device-rules.js';
export * from './device-view.js';
export { DEVICES_CHANGED_CHANNEL } from './devices.repository.js';
export * from './error-status.js';
export * from './registry.app.js';
export * from './registry.config.js';
export * from './registry.error.js';
export * from './registry.schemas.js';
