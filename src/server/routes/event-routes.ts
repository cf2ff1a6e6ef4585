import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { type AnyRoute, defineRoute } from '../../http/api-route.js';
import type { EventName } from '../../internal/events.js';
import { createRedactor, redactDeep } from '../../internal/redactor.js';
import type { ServerContext } from '../server-context.js';

/** Events forwarded to live clients (the dashboard refreshes on them). */
const LIVE_EVENTS: EventName[] = [
  'records:ingested',
  'gap:opened',
  'gap:closed',
  'backfill:filled',
  'backfill:not-found',
  'backfill:failed',
  'backfill:run-finished',
  'source:state',
  'job:started',
  'job:finished',
  'job:skipped',
];

const KEEPALIVE_MS = 15_000;

/** `GET /api/events`: lifecycle events as Server-Sent Events. */
export function eventRoutes({ engine }: ServerContext): AnyRoute[] {
  // Events carry error text (source state, backfill failures): secrets are masked before they leave.
  const redact = createRedactor(engine.config.secrets);
  return [
    defineRoute({
      method: 'get',
      path: '/api/events',
      summary:
        'Live lifecycle events (gap opened/closed, records ingested, backfill outcomes, job runs) as Server-Sent Events',
      tag: 'events',
      access: 'read',
      responses: {
        200: {
          description: 'an event stream; each event is named after the lifecycle event, its data is JSON',
          schema: z.string(),
          contentType: 'text/event-stream',
        },
      },
      handler: (c) =>
        streamSSE(c, async (stream) => {
          const detach = LIVE_EVENTS.map((name) =>
            engine.events.on(name, (payload) => {
              void stream.writeSSE({ event: name, data: JSON.stringify(redactDeep(payload, redact)) });
            }),
          );
          await stream.writeSSE({ event: 'hello', data: JSON.stringify({ at: engine.clock.now() }) });
          while (!stream.aborted && !stream.closed) {
            await stream.sleep(KEEPALIVE_MS);
            if (!stream.aborted) await stream.writeSSE({ event: 'keepalive', data: '{}' });
          }
          for (const off of detach) off();
        }),
    }),
  ];
}
