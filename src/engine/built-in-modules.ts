import { alertsModule } from '../alerts/alerts-module.js';
import { archiveModule } from '../archive/archive-module.js';
import { checksModule } from '../checks/checks-module.js';
import type { AnyModule } from '../core/module.js';
import { rollupsModule } from '../rollups/rollups-module.js';
import { jobsModule } from '../scheduler/jobs-module.js';
import { streamsModule } from '../streams/streams-module.js';

/**
 * The modules an engine composes unless told otherwise, in start order. A
 * new capability is one more entry here: the engine, the server and the CLI
 * pick up what it contributes.
 */
export const BUILT_IN_MODULES: readonly AnyModule[] = [
  jobsModule,
  alertsModule,
  checksModule,
  streamsModule,
  rollupsModule,
  archiveModule,
];
