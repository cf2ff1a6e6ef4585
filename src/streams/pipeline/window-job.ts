import type { CompiledPipeline } from './compile-pipeline.js';
import type {
  GlobalValue,
  ModuleContext,
  ModuleResultOutput,
  PipelineWindow,
  SettledMessage,
} from './pipeline-types.js';

/** The work of one closed window: run the module graph, then hand over results and settle messages. */
export interface WindowJob {
  key: string;
  window: PipelineWindow;
  batchId: string;
  /** `/key/windowEnd`, the tail of every output key of this window. */
  keySuffix: string;
  global: Readonly<Record<string, GlobalValue>>;
  /** Topics (keyed and global) with no real data for this window. */
  missingTopics: string[];
  /** Non-null results by module name, for dependants and the batch. */
  results: Record<string, unknown>;
  outputs: ModuleResultOutput[];
  /** Messages that become safe to acknowledge once this job's outputs are handed over. */
  release: SettledMessage[];
  failures: number;
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && typeof v === 'object' && typeof (v as { then?: unknown }).then === 'function';
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Runs the modules of `cp.order` from index `from` for one window. Synchronous modules run inline and
 * the function returns `undefined`; at the first module that returns a promise it returns a promise that
 * settles when the remaining modules have run. A module runs only when every module it depends on gave a
 * non-null result; otherwise it is `skipped`. A throw or rejection makes it `failed`, never the pipeline.
 */
export function runModules(cp: CompiledPipeline, job: WindowJob, from = 0): Promise<void> | undefined {
  const order = cp.order;
  for (let i = from; i < order.length; i++) {
    const mod = order[i]!;
    const deps = mod.dependsOn;
    let inputs: Record<string, unknown> = EMPTY;
    let ready = true;
    if (deps !== undefined && deps.length > 0) {
      inputs = {};
      for (const d of deps) {
        const r = job.results[d];
        if (r === undefined) {
          ready = false;
          break;
        }
        inputs[d] = r;
      }
    }
    if (!ready) {
      record(cp, job, i, 'skipped');
      continue;
    }
    const ctx: ModuleContext = {
      pipeline: cp.def.name,
      key: job.key,
      batchId: job.batchId,
      window: job.window,
      global: job.global,
      inputs,
    };
    let value: unknown;
    try {
      value = mod.run(ctx);
    } catch (err) {
      record(cp, job, i, 'failed', undefined, errorText(err));
      continue;
    }
    if (isThenable(value)) {
      return Promise.resolve(value).then(
        (v) => {
          record(cp, job, i, v == null ? 'empty' : 'ok', v);
          return runModules(cp, job, i + 1);
        },
        (err) => {
          record(cp, job, i, 'failed', undefined, errorText(err));
          return runModules(cp, job, i + 1);
        },
      );
    }
    record(cp, job, i, value == null ? 'empty' : 'ok', value);
  }
  return undefined;
}

const EMPTY: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

function record(
  cp: CompiledPipeline,
  job: WindowJob,
  index: number,
  status: ModuleResultOutput['status'],
  value?: unknown,
  error?: string,
): void {
  const w = job.window;
  const out: ModuleResultOutput = {
    kind: 'result',
    pipeline: cp.def.name,
    key: job.key,
    module: cp.order[index]!.name,
    batchId: job.batchId,
    windowStart: w.start,
    windowEnd: w.end,
    outputKey: cp.outputPrefixes[index]! + job.keySuffix,
    status,
  };
  if (status === 'ok') {
    out.value = value;
    job.results[cp.order[index]!.name] = value;
  } else if (status === 'failed') {
    out.error = error;
    job.failures++;
  }
  job.outputs.push(out);
}
