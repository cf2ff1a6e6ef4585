import type { StreamClientSpec } from '../../config/compiled-streams.js';
import type { StreamClient } from './stream-client.js';

export type { StreamClientSpec };

/**
 * Connects the adapter a spec names: the only place that knows every engine. Each driver is
 * loaded when a client of its engine is first made, so a CLI verb that never streams does not
 * pay for loading all three.
 */
export async function createStreamClient(spec: StreamClientSpec): Promise<StreamClient> {
  switch (spec.engine) {
    case 'nats': {
      const { createNatsStreamClient } = await import('./nats/nats-stream-client.js');
      return createNatsStreamClient({ servers: spec.servers });
    }
    case 'redis': {
      const { createRedisStreamClient } = await import('./redis/redis-stream-client.js');
      return createRedisStreamClient({ url: spec.url });
    }
    case 'kafka': {
      const { createKafkaStreamClient } = await import('./kafka/kafka-stream-client.js');
      return createKafkaStreamClient({
        brokers: spec.brokers,
        ...(spec.clientId === undefined ? {} : { clientId: spec.clientId }),
      });
    }
  }
}
