import { createContext } from 'preact';
import { useCallback, useContext, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { type ApiClient, createApiClient } from './api/client';
import type { ModuleInfo, StatusReport } from './api/types';
import { loadToken, saveToken, takeTokenFromAddress } from './token';
import { type LiveEvents, useLiveEvents } from './use-live-events';
import { type Polled, usePoll } from './use-poll';

/**
 * Everything the pages share: the API client, the token for state-changing
 * calls, the one event stream, and the status of every dataset (polled once for
 * the header and the overview).
 * The only mutable state of the app lives here, created once by `App`.
 */
export interface AppStore {
  api: ApiClient;
  token: string | null;
  setToken: (token: string | null) => void;
  /** Server-Sent Events from `/api/events`; pages poll slowly while it is connected. */
  live: LiveEvents;
  status: Polled<StatusReport>;
  /** The modules the server runs (`GET /api/modules`): the navigation and the module pages; undefined until known. */
  modules: readonly ModuleInfo[] | undefined;
}

const AppContext = createContext<AppStore | null>(null);
export const AppProvider = AppContext.Provider;

export function useApp(): AppStore {
  const store = useContext(AppContext);
  if (!store) throw new Error('useApp() is used outside <AppProvider>');
  return store;
}

/** Builds the store; called once by `App`. */
export function useAppStore(): AppStore {
  const [token, setTokenState] = useState<string | null>(() => {
    const fromAddress = takeTokenFromAddress();
    if (fromAddress) saveToken(fromAddress);
    return fromAddress ?? loadToken();
  });
  const tokenRef = useRef(token);
  tokenRef.current = token;
  const api = useMemo(() => createApiClient({ getToken: () => tokenRef.current }), []);
  const setToken = useCallback((next: string | null) => {
    tokenRef.current = next;
    saveToken(next);
    setTokenState(next);
  }, []);
  const live = useLiveEvents();
  const status = usePoll(() => api.status(), 'status', { live, refreshOn: '*' });
  const [modules, setModules] = useState<readonly ModuleInfo[] | undefined>(undefined);
  // Asked once, and again with a new token: a server that guards reads answers 401 until then.
  useEffect(() => {
    let current = true;
    api.modules().then(
      (list) => current && setModules(list),
      () => {},
    );
    return () => {
      current = false;
    };
  }, [api, token]);
  return { api, token, setToken, live, status, modules };
}
