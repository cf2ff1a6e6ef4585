import { useApp } from '../app-store';
import { DatasetRow } from './dataset-row';

/** Every dataset, one row each (a card on a narrow window). */
export function Overview() {
  const { status } = useApp();
  const report = status.data;
  if (!report) {
    return (
      <p class="notice" role="status">
        {status.error ? `Cannot load the datasets: ${status.error.message}` : 'Loading datasets…'}
      </p>
    );
  }
  if (report.datasets.length === 0) {
    return <p class="notice">No datasets are configured. Add one to gapwarden.config.ts and restart.</p>;
  }
  return (
    <section class="panel" aria-labelledby="datasets-title">
      <h1 id="datasets-title">Datasets</h1>
      <table class="datasets">
        <thead>
          <tr>
            <th scope="col">Dataset</th>
            <th scope="col">Status</th>
            <th scope="col">Last record</th>
            <th scope="col">Complete</th>
            <th scope="col">Open gaps</th>
            <th scope="col">Known missing</th>
            <th scope="col">Backfill queue</th>
            <th scope="col">Sources</th>
          </tr>
        </thead>
        <tbody>
          {report.datasets.map((d) => (
            <DatasetRow key={d.name} dataset={d} nowMs={report.at} />
          ))}
        </tbody>
      </table>
    </section>
  );
}
