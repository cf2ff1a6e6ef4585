/** Where archive objects are written, every default applied. */
export type CompiledObjectStore =
  | { kind: 'folder'; path: string }
  | {
      kind: 's3';
      bucket: string;
      prefix: string;
      region: string;
      endpoint: string | undefined;
      forcePathStyle: boolean;
      /** Never logged or printed. */
      credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
    };

/** One dataset's retention, every default applied. */
export interface CompiledDatasetLifecycle {
  dataset: string;
  retentionMs: number;
  /** undefined: archives are kept forever. */
  keepArchivesMs: number | undefined;
  deleteBatch: number;
  restoreHoldMs: number;
}

export interface CompiledArchive {
  store: CompiledObjectStore;
  /** Only the datasets with a retention; the others keep every record. */
  datasets: CompiledDatasetLifecycle[];
}
