import { createHash } from 'node:crypto';
import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { natsStreamName } from '../streams/clients/nats/nats-stream-client.js';
import { type TelemetryTopics, telemetryTopics } from './demo-telemetry-config.js';
import {
  CALIBRATION_EVERY_MS,
  TELEMETRY_STATIONS,
  telemetryCalibration,
  telemetrySample,
} from './telemetry-fleet.js';

/** The environment variable naming the demo's NATS server (`--nats` wins). */
export const DEMO_NATS_ENV = 'GAPWARDEN_DEMO_NATS';
export const DEMO_NATS_DEFAULT = 'nats://127.0.0.1:4222';

/** How to get the pipeline when it is off: one line, printed by the demo. */
export const TELEMETRY_HINT = `start a NATS server with JetStream (nats-server -js) and run the demo again, or point it at one with --nats <url> (or ${DEMO_NATS_ENV})`;

/** The subject prefix of one demo folder: its own, so demos in two folders never share a stream. */
export function telemetryPrefix(dir: string): string {
  return `gapwarden-demo.${createHash('sha256').update(dir).digest('hex').slice(0, 8)}`;
}

/** The URL for people to read: credentials dropped. */
export function displayNatsUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//');
}

/** The demo's JetStream streams on a reachable server; `close` deletes them. */
export interface TelemetryBroker {
  readonly url: string;
  readonly topics: TelemetryTopics;
  /** The JetStream streams the demo owns (one per subject, named as the streams client names them). */
  readonly streams: readonly string[];
  /** Publishes the fleet's samples from `firstSlot` on, one second after another, and the calibration. */
  startFeed(firstSlot: number, now?: () => number): TelemetryFeed;
  /** Deletes the demo's streams and disconnects. */
  close(): Promise<void>;
}

export interface TelemetryFeed {
  /** Samples published, samples dropped (never sent), calibrations published. */
  counts(): { published: number; dropped: number; calibrations: number };
  /** Stops publishing; resolves once what was in flight is acknowledged by the server. */
  stop(): Promise<void>;
}

/**
 * Connects to NATS and replaces the demo folder's streams (left by an earlier
 * run of the same folder, or a crash) with empty ones, so each demo run starts
 * from nothing, like its store. Resolves with the reason when there is no
 * server or it has no JetStream: the demo then runs without the pipeline.
 */
export async function openTelemetryBroker(
  url: string,
  dir: string,
): Promise<TelemetryBroker | { unavailable: string }> {
  let nc: NatsConnection;
  try {
    nc = await connect({ servers: [url], timeout: 1_500, maxReconnectAttempts: 10 });
  } catch (err) {
    return { unavailable: `no NATS server at ${displayNatsUrl(url)} (${(err as Error).message})` };
  }
  let jsm: JetStreamManager;
  try {
    jsm = await jetstreamManager(nc);
  } catch (err) {
    await nc.close().catch(() => undefined);
    return {
      unavailable: `the NATS server at ${displayNatsUrl(url)} has no JetStream (${(err as Error).message})`,
    };
  }
  const topics = telemetryTopics(telemetryPrefix(dir));
  const all = [topics.telemetry, topics.config, topics.deadLetter];
  const streams = all.map(natsStreamName);
  const removeStreams = async () => {
    for (const name of streams) await jsm.streams.delete(name).catch(() => false);
  };
  try {
    await removeStreams();
    // Messages expire after an hour, so a demo that was killed leaves little behind.
    for (const subject of [topics.telemetry, topics.config])
      await jsm.streams.add({ name: natsStreamName(subject), subjects: [subject], max_age: 3_600 * 1e9 });
  } catch (err) {
    await nc.close().catch(() => undefined);
    return { unavailable: `cannot create the demo's JetStream streams: ${(err as Error).message}` };
  }
  const js = jetstream(nc);
  return {
    url,
    topics,
    streams,
    startFeed: (firstSlot, now = Date.now) => startFeed(js, topics, firstSlot, now),
    async close() {
      await removeStreams();
      await nc.close().catch(() => undefined);
    },
  };
}

function startFeed(
  js: JetStreamClient,
  topics: TelemetryTopics,
  firstSlot: number,
  now: () => number,
): TelemetryFeed {
  const counts = { published: 0, dropped: 0, calibrations: 0 };
  let next = firstSlot;
  let nextCalibration = firstSlot;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  const send = (subject: string, body: object) => js.publish(subject, JSON.stringify(body));

  async function publishDue(): Promise<void> {
    const due = Math.floor(now() / 1000) * 1000;
    for (; next <= due && !stopped; next += 1000) {
      // The calibration first: a window closed before any calibration counts its topic as missing.
      if (next >= nextCalibration) {
        await send(topics.config, telemetryCalibration(next, counts.calibrations + 1));
        counts.calibrations++;
        nextCalibration += CALIBRATION_EVERY_MS;
      }
      const samples = TELEMETRY_STATIONS.map((s) => telemetrySample(s, next));
      await Promise.all(samples.map((s) => (s ? send(topics.telemetry, s) : undefined)));
      const sent = samples.filter((s) => s !== null).length;
      counts.published += sent;
      counts.dropped += samples.length - sent;
    }
  }

  const tick = () => {
    if (stopped) return;
    inFlight = inFlight.then(publishDue).catch(() => undefined);
    // Shortly after the next second starts, so its slot is due.
    timer = setTimeout(tick, 1_050 - (now() % 1000));
  };
  tick();
  return {
    counts: () => ({ ...counts }),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight;
    },
  };
}
