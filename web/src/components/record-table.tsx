import { useState } from 'preact/hooks';
import { useApp } from '../app-store';
import { formatAgo, formatPartition, formatTime, previewJson } from '../format';
import { usePoll } from '../use-poll';

const PAGE_SIZE = 15;

/** The newest records first, with paging to older ones. The first page stays live. */
export function RecordTable({ name }: { name: string }) {
  const { api, live } = useApp();
  // Cursors of the pages above the current one; the last entry is the current page's `before`.
  const [cursors, setCursors] = useState<(number | null)[]>([null]);
  const before = cursors[cursors.length - 1] ?? null;
  const polled = usePoll(() => api.records(name, { limit: PAGE_SIZE, before }), `${name}|${before}`, {
    live,
    // Only the newest page changes as records arrive.
    ...(before === null ? { refreshOn: name } : {}),
  });
  const page = polled.data;
  const now = Date.now();
  return (
    <section class="panel" aria-labelledby="records-title">
      <div class="panel-head">
        <h2 id="records-title">{before === null ? 'Recent records' : 'Older records'}</h2>
        <div class="pager">
          {cursors.length > 1 ? (
            <>
              <button type="button" class="button-quiet" onClick={() => setCursors([null])}>
                Newest
              </button>
              <button type="button" class="button-quiet" onClick={() => setCursors(cursors.slice(0, -1))}>
                ← Newer
              </button>
            </>
          ) : null}
          <button
            type="button"
            class="button-quiet"
            disabled={!page || page.next === null}
            onClick={() => page?.next != null && setCursors([...cursors, page.next])}
          >
            Older →
          </button>
        </div>
      </div>
      {!page ? (
        <p class="muted">{polled.error ? `Cannot load records: ${polled.error.message}` : 'Loading…'}</p>
      ) : page.records.length === 0 ? (
        <p class="muted">No records {before === null ? 'yet' : 'older than these'}.</p>
      ) : (
        <div class="table-scroll">
          <table class="records" data-testid="records">
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Partition</th>
                <th scope="col">Source</th>
                <th scope="col">Stored</th>
                <th scope="col">Payload</th>
              </tr>
            </thead>
            <tbody>
              {page.records.map((r) => (
                <tr key={r.key} data-record={r.key}>
                  <td class="mono">{r.key}</td>
                  <td class="mono">{formatPartition(r.partition)}</td>
                  <td>{r.source ?? <span class="muted">pushed</span>}</td>
                  <td
                    title={`${new Date(r.insertedAt).toISOString()} (${formatAgo((now - r.insertedAt) / 1000)})`}
                  >
                    {formatTime(r.insertedAt, now)}
                  </td>
                  <td class="mono payload" title={JSON.stringify(r.payload, null, 2)}>
                    {previewJson(r.payload)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
