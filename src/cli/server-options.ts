import { readFileSync } from 'node:fs';
import type { Hono } from 'hono';
import { defaultDashboardRoot, registerDashboard } from '../server/dashboard-route.js';

/** The package version, read once from package.json (two folders up from src/cli or dist/cli). */
export const PACKAGE_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** Mounts the built dashboard on the HTTP app. */
export function mountDashboard(app: Hono): void {
  registerDashboard(app, { root: defaultDashboardRoot() });
}
