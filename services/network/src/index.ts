/**
 * @groundtruth/network: the whole network in one process (`EmbeddedNetwork`, `npm start`) and the `groundtruth`
 * CLI; `launchService` runs one service from its environment (`groundtruth serve <service>`).
 */
export * from './embedded/broker.js';
export * from './embedded/chain.js';
export * from './embedded/database.js';
export * from './embedded/endpoints-file.js';
export * from './embedded/fleet.js';
export * from './embedded/network.js';
export * from './embedded/status.js';
export * from './network.config.js';
export * from './services/launchers.js';
