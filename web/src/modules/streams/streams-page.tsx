import type { StreamPipeline } from '../../api/types';
import { useApp } from '../../app-store';
import { LiveIndicator } from '../../components/live-indicator';
import { formatCount, formatTime } from '../../format';
import { usePoll } from '../../use-poll';
import type { ModulePages } from '../module-pages';
import { streamApi } from './stream-api';
import { ActivityBars, BatchTable, formatRatio, Lag, RunningPill } from './stream-cells';

/** Every topic of a pipeline: consumed, waiting, dead-lettered, and its checkpoint. */
function TopicTable({ pipeline }: { pipeline: StreamPipeline }) {
  return (
    <div class="table-scroll">
      <table class="jobs" data-testid="stream-topics">
        <thead>
          <tr>
            <th scope="col">Topic</th>
            <th scope="col">Consumed</th>
            <th scope="col">Lag</th>
            <th scope="col">Dead letters</th>
            <th scope="col">Checkpoint</th>
          </tr>
        </thead>
        <tbody>
          {pipeline.topics.map((t) => (
            <tr key={t.topic} data-topic={t.topic}>
              <th scope="row" data-label="Topic" class="mono">
                {t.topic}
                {t.global ? <span class="dataset-sub">global: every key sees it</span> : null}
              </th>
              <td data-label="Consumed">{formatCount(t.acked)}</td>
              <td data-label="Lag">
                <Lag lag={t.lag} />
              </td>
              <td data-label="Dead letters" class={t.deadLetters > 0 ? 'tone-warn' : undefined}>
                {formatCount(t.deadLetters)}
              </td>
              <td data-label="Checkpoint">
                {t.committedAt === null ? (
                  <span class="muted">none yet</span>
                ) : (
                  <>committed {formatTime(t.committedAt)}</>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function PipelineView({ pipeline: p }: { pipeline: StreamPipeline }) {
  const { token } = useApp();
  const activity = usePoll(() => streamApi.activity(token, p.name, 60), `stream-activity:${p.name}`);
  const batches = usePoll(() => streamApi.batches(token, p.name, 10), `stream-batches:${p.name}`);
  const lag = p.topics.reduce<number | null>((n, t) => (t.lag === null ? n : (n ?? 0) + t.lag), null);
  const timedOut = p.timedOutLastHour;
  return (
    <section class="stream-pipeline" data-pipeline={p.name}>
      <h2>
        {p.name} <RunningPill pipeline={p} />
      </h2>
      <p class="dataset-sub">
        {p.engine} client <span class="mono">{p.client}</span> · group <span class="mono">{p.group}</span>
      </p>
      {p.lastError ? <p class="tone-bad">Last error: {p.lastError}</p> : null}
      <dl class="stream-stats" data-testid="stream-stats">
        <div>
          <dt>Consumed</dt>
          <dd data-stat="consumed">{formatCount(p.topics.reduce((n, t) => n + t.acked, 0))}</dd>
        </div>
        <div>
          <dt>Lag</dt>
          <dd data-stat="lag">{lag === null ? '–' : formatCount(lag)}</dd>
        </div>
        <div>
          <dt>Throughput</dt>
          <dd data-stat="throughput" title="messages per second over the last five minutes">
            {p.throughput} msg/s
          </dd>
        </div>
        <div>
          <dt>Availability</dt>
          <dd data-stat="availability" title="of the newest batch; the lowest over the last hour after it">
            {formatRatio(p.availability.last)}
            {p.availability.minLastHour !== null ? (
              <span class="dataset-sub">min {formatRatio(p.availability.minLastHour)} last hour</span>
            ) : null}
          </dd>
        </div>
        <div>
          <dt>Batches, last hour</dt>
          <dd data-stat="batches" class={timedOut > 0 ? 'tone-warn' : undefined}>
            {formatCount(p.batchesLastHour)}
            {timedOut > 0 ? <span class="dataset-sub">{timedOut} timed out</span> : null}
          </dd>
        </div>
      </dl>
      <TopicTable pipeline={p} />
      {activity.data ? (
        <ActivityBars minutes={activity.data} nowMs={activity.updatedAt ?? Date.now()} />
      ) : null}
      <h3>Recent batches</h3>
      {batches.data ? <BatchTable batches={batches.data} /> : <p class="muted">Loading…</p>}
    </section>
  );
}

/** Every pipeline: lag, throughput, availability, checkpoints and batches, refreshed every second. */
export function StreamsPage({ only }: { only?: string }) {
  const { token } = useApp();
  // Stream progress is not on the event stream: the page asks every second (POLL_MS).
  const list = usePoll(() => streamApi.pipelines(token), 'streams');
  const pipelines = (list.data ?? []).filter((p) => only === undefined || p.name === only);
  return (
    <section class="panel streams-page" aria-labelledby="streams-title">
      <div class="panel-head">
        <h1 id="streams-title">Streams</h1>
        <LiveIndicator polled={list} live="polling" />
      </div>
      {!list.data ? (
        <p class="muted">
          {list.error ? `Cannot load the pipelines: ${list.error.message}` : 'Loading pipelines…'}
        </p>
      ) : pipelines.length === 0 ? (
        <p>{only ? `No pipeline named ${only}.` : 'No stream pipelines configured.'}</p>
      ) : null}
      {pipelines.map((p) => (
        <PipelineView key={p.name} pipeline={p} />
      ))}
    </section>
  );
}

/** `''`: every pipeline; `/<name>`: one. */
export const streamsPages: ModulePages = {
  render(rest) {
    const name = /^\/([^/?&]+)/.exec(rest)?.[1];
    return <StreamsPage only={name ? decodeURIComponent(name) : undefined} key={name ?? ''} />;
  },
};
