// kill -9 of `gapwarden streams run` mid-stream and an immediate restart, on Redis Streams:
// every message's effect is stored exactly once and the dead consumer's pending messages are taken
// over (test/helpers/streams-crash-suite.ts).

import { REDIS_SERVER } from './helpers/stream-servers.js';
import { streamsCrashSuite } from './helpers/streams-crash-suite.js';

streamsCrashSuite(REDIS_SERVER);
