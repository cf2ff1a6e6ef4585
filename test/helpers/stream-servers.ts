import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import type { StreamClientSpec } from '../../src/streams/clients/create-stream-client.js';

/** The stream servers the streams suites run on; each skips with a visible reason when unreachable. */
export interface StreamServer {
  readonly name: 'nats' | 'redis' | 'kafka';
  readonly spec: StreamClientSpec;
  readonly skip?: string | undefined;
}

function reachable(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (why?: string) => {
      socket.destroy();
      resolve(why);
    };
    socket.setTimeout(1_500, () => done('timed out'));
    socket.once('connect', () => done(undefined));
    socket.once('error', (err) => done(err.message));
  });
}

const NATS_URL = process.env.GAPWARDEN_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const REDIS_URL = process.env.GAPWARDEN_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function skipReason(what: string, url: string, defaultPort: number, how: string) {
  const u = new URL(url);
  const why = await reachable(u.hostname, Number(u.port || defaultPort));
  return why === undefined ? undefined : `${what} not reachable at ${u.host} (${why}): ${how}`;
}

export const NATS_SERVER: StreamServer = {
  name: 'nats',
  spec: { engine: 'nats', servers: [NATS_URL] },
  skip: await skipReason('NATS', NATS_URL, 4222, 'start nats-server -js or set GAPWARDEN_TEST_NATS_URL'),
};

export const REDIS_SERVER: StreamServer = {
  name: 'redis',
  spec: { engine: 'redis', url: REDIS_URL },
  skip: await skipReason('Redis', REDIS_URL, 6379, 'start redis-server or set GAPWARDEN_TEST_REDIS_URL'),
};

const KAFKA_BROKERS = (process.env.KAFKA_BROKERS ?? '').split(',').filter((b) => b.trim() !== '');

export const KAFKA_SERVER: StreamServer = {
  name: 'kafka',
  spec: { engine: 'kafka', brokers: KAFKA_BROKERS, clientId: 'gapwarden-test' },
  skip:
    KAFKA_BROKERS.length === 0
      ? 'KAFKA_BROKERS is not set: point it at a Kafka-protocol broker (host:9092) to run npm run test:kafka'
      : await skipReason(
          'Kafka',
          `kafka://${KAFKA_BROKERS[0]}`,
          9092,
          'start the broker or fix KAFKA_BROKERS',
        ),
};

/**
 * The engines the streams suites run on: NATS JetStream and Redis Streams in
 * the default suite; only Kafka under `npm run test:kafka`
 * (GAPWARDEN_TEST_STREAMS=kafka), which needs KAFKA_BROKERS.
 */
export const STREAM_SERVERS: readonly StreamServer[] =
  process.env.GAPWARDEN_TEST_STREAMS === 'kafka' ? [KAFKA_SERVER] : [NATS_SERVER, REDIS_SERVER];

/** A topic name no other test run uses. */
export function uniqueTopic(prefix: string): string {
  return `${prefix}.${randomBytes(5).toString('hex')}`;
}
