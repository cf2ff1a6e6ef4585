import type { GapwardenConfig } from './config-schema.js';

/**
 * Types a `gapwarden.config.ts`. Returns its argument; validation happens when
 * the config is loaded, so errors name the field either way.
 *
 * @example
 * export default defineConfig({
 *   datasets: {
 *     draws: {
 *       partition: { sequence: { start: 3001 } },
 *       sources: [{ name: 'api', type: 'http', latest: { url: 'https://example.test/latest' },
 *                   response: { records: 'retdata', key: 'issue' } }],
 *       collect: { schedule: '*\/30 * * * * *' },
 *     },
 *   },
 * });
 */
export function defineConfig(config: GapwardenConfig): GapwardenConfig {
  return config;
}
