export { ConfigError } from './config-error.js';
export { loadConfig, parseConfig, readConfigFile } from './load-config.js';
export { configSchema, userCredentialsEnabled, type Config, type ConfigInput } from './schema.js';
