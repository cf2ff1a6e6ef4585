/**
 * Schema names are put into SQL and the connection's search_path, so only
 * plain identifiers pass. In the config layer so that a bad `store.schema` is
 * a config error at load time; the PostgreSQL adapter checks it again with
 * the same rule for stores created in code.
 */
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
