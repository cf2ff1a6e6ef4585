import type { ObjectStore } from './object-store.js';

/**
 * An object store whose adapter is loaded on first use: the S3 SDK is large,
 * and a process that never archives (most CLI verbs) should not load it.
 * A failed load is retried on the next call.
 */
export function lazyObjectStore(description: string, load: () => Promise<ObjectStore>): ObjectStore {
  let loading: Promise<ObjectStore> | undefined;
  const store = () => {
    loading ??= load().catch((err: unknown) => {
      loading = undefined;
      throw err;
    });
    return loading;
  };
  return {
    description,
    put: async (key, body, options) => (await store()).put(key, body, options),
    get: async (key) => (await store()).get(key),
    head: async (key) => (await store()).head(key),
    delete: async (key) => (await store()).delete(key),
    async *list(prefix) {
      yield* (await store()).list(prefix);
    },
    close: async () => {
      if (loading) await (await loading).close();
    },
  };
}
