/**
 * What storing a record whose key is already stored does: `ignore` keeps the
 * stored payload; `update` replaces it when it differs. In `domain/` because
 * the config names it per dataset and the store applies it.
 */
export type ConflictMode = 'ignore' | 'update';
