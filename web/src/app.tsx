import { ApiError } from './api/client';
import type { ModuleInfo } from './api/types';
import { AppProvider, useAppStore } from './app-store';
import { DatasetPage } from './components/dataset-page';
import { Header } from './components/header';
import { Overview } from './components/overview';
import { TokenPrompt } from './components/token-prompt';
import { moduleAt } from './modules/module-pages';
import { type Route, useRoute } from './route';

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
        ) : route.page === 'module' ? (
          <ModulePage route={route} modules={store.modules} />
        ) : (
          <Overview />
        )}
      </main>
    </AppProvider>
  );
}

/** A module's page at the path the server module declared; the overview for a path no module has. */
function ModulePage({
  route,
  modules,
}: {
  route: Extract<Route, { page: 'module' }>;
  modules: readonly ModuleInfo[] | undefined;
}) {
  if (modules === undefined) return <p class="muted">Loading…</p>;
  const found = moduleAt(modules, route.path);
  return found ? found.pages.render(found.rest) : <Overview />;
}
