import { ApiError } from './api/client';
import { AppProvider, useAppStore } from './app-store';
import { DatasetPage } from './components/dataset-page';
import { Header } from './components/header';
import { JobHistoryPage } from './components/job-history';
import { JobsPage } from './components/jobs-page';
import { Overview } from './components/overview';
import { TokenPrompt } from './components/token-prompt';
import { useRoute } from './route';

export function App() {
  const store = useAppStore();
  const route = useRoute();
  // A server configured to guard reads answers 401 to everything until a token is given.
  const readsNeedToken = store.status.error instanceof ApiError && store.status.error.unauthorized;
  return (
    <AppProvider value={store}>
      <Header route={route} />
      <main class="page">
        {readsNeedToken ? (
          <section class="panel">
            <TokenPrompt
              hadToken={store.token !== null}
              onSave={(t) => {
                store.setToken(t);
                store.status.refresh();
              }}
            />
          </section>
        ) : route.page === 'dataset' ? (
          <DatasetPage name={route.name} key={route.name} />
        ) : route.page === 'jobs' ? (
          <JobsPage />
        ) : route.page === 'job' ? (
          <JobHistoryPage id={route.id} key={route.id} />
        ) : (
          <Overview />
        )}
      </main>
    </AppProvider>
  );
}
