import type { ConfigIssue } from '../../internal/errors.js';
import { checkModuleGraph } from './module-graph.js';
import { PipelineConfigError } from './pipeline-config-error.js';
import type { FillStrategy, PipelineDefinition, PipelineModule } from './pipeline-types.js';

const FILLS: readonly FillStrategy[] = ['zero', 'linear', 'forward', 'missing'];

/** A definition checked once and resolved into what the hot path reads. */
export interface CompiledPipeline {
  def: PipelineDefinition;
  /** Slots per window. */
  slots: number;
  keyedTopics: readonly string[];
  globalTopics: readonly string[];
  /** Topic name → index in `keyedTopics`, or -1 for a global topic. */
  topicIndex: ReadonlyMap<string, number>;
  fillFields: readonly string[];
  fillStrategies: readonly FillStrategy[];
  /** Modules, each after the ones it depends on. */
  order: readonly PipelineModule[];
  /** `pipeline/module` per module of `order`: the head of its output keys. */
  outputPrefixes: readonly string[];
  concurrency: number;
}

/**
 * Every problem of a pipeline definition, located under `pathPrefix` (empty: the definition is sound).
 * Config loading can merge these with its own issues.
 */
export function checkPipelineDefinition(def: PipelineDefinition, pathPrefix = ''): ConfigIssue[] {
  const at = (p: string) => (pathPrefix ? `${pathPrefix}.${p}` : p);
  const issues: ConfigIssue[] = [];
  const bad = (path: string, expected: string, found: unknown, message: string) =>
    issues.push({ path: at(path), expected, found: JSON.stringify(found) ?? String(found), message });

  if (typeof def.keyBy !== 'string' || def.keyBy === '')
    bad('keyBy', 'a payload field name', def.keyBy, 'keyBy must name the payload field that holds the key');
  if (!(def.cadenceMs > 0))
    bad('cadenceMs', 'a positive number of ms', def.cadenceMs, 'declare the expected spacing of samples');
  const w = def.window ?? ({} as PipelineDefinition['window']);
  const hasSamples = w.samples !== undefined;
  const hasDuration = w.duration !== undefined;
  if (hasSamples === hasDuration)
    bad('window', 'exactly one of samples or duration', w, 'give the window either samples or duration');
  if (hasSamples && !(Number.isInteger(w.samples) && w.samples! >= 1))
    bad('window.samples', 'an integer ≥ 1', w.samples, 'window.samples counts slots');
  if (hasDuration && !(w.duration! > 0))
    bad(
      'window.duration',
      'a positive number of ms',
      w.duration,
      'window.duration is a span of message time',
    );
  if (w.closeBy !== undefined && w.closeBy !== 'key' && w.closeBy !== 'stream')
    bad(
      'window.closeBy',
      "'key' | 'stream'",
      w.closeBy,
      'window.closeBy says whose message time closes windows',
    );
  if (!(w.graceMs >= 0)) bad('window.graceMs', 'ms ≥ 0', w.graceMs, 'window.graceMs must not be negative');
  if (!(w.quietCloseMs > 0))
    bad(
      'window.quietCloseMs',
      'a positive number of ms',
      w.quietCloseMs,
      'a quiet key must close its windows',
    );
  if (!(def.idleExpiryMs >= w.quietCloseMs))
    bad(
      'idleExpiryMs',
      `ms ≥ window.quietCloseMs (${w.quietCloseMs})`,
      def.idleExpiryMs,
      'a key must not expire before its windows close by quiet time',
    );
  const names = new Set<string>();
  (def.topics ?? []).forEach((t, i) => {
    if (names.has(t.name))
      bad(`topics[${i}].name`, 'a topic listed once', t.name, `topic "${t.name}" is listed twice`);
    names.add(t.name);
  });
  if (!(def.topics ?? []).some((t) => !t.global))
    bad('topics', 'at least one keyed (non-global) topic', def.topics, 'windows are built from keyed topics');
  for (const [field, fill] of Object.entries(def.fills ?? {}))
    if (!FILLS.includes(fill))
      bad(`fills.${field}`, FILLS.join(' | '), fill, `unknown fill for field "${field}"`);
  if (def.concurrency !== undefined && !(Number.isInteger(def.concurrency) && def.concurrency >= 1))
    bad('concurrency', 'an integer ≥ 1', def.concurrency, 'concurrency bounds windows run at once');
  if (def.batch) {
    if (def.batch.timeoutMs !== undefined && !(def.batch.timeoutMs > 0))
      bad('batch.timeoutMs', 'a positive number of ms', def.batch.timeoutMs, 'a batch needs a timeout');
    if (def.batch.expectedKeys && new Set(def.batch.expectedKeys).size !== def.batch.expectedKeys.length)
      bad('batch.expectedKeys', 'each key once', def.batch.expectedKeys, 'a key is listed twice');
  }
  issues.push(...checkModuleGraph(def.modules ?? [], at('modules')).issues);
  return issues;
}

/** Checks a definition and resolves it; throws {@link PipelineConfigError} naming every problem. */
export function compilePipeline(def: PipelineDefinition): CompiledPipeline {
  const issues = checkPipelineDefinition(def);
  if (issues.length > 0) throw new PipelineConfigError(def.name, issues);
  const keyedTopics = def.topics.filter((t) => !t.global).map((t) => t.name);
  const globalTopics = def.topics.filter((t) => t.global).map((t) => t.name);
  const topicIndex = new Map<string, number>();
  keyedTopics.forEach((t, i) => {
    topicIndex.set(t, i);
  });
  for (const t of globalTopics) topicIndex.set(t, -1);
  const w = def.window;
  const order = checkModuleGraph(def.modules).order;
  return {
    def,
    slots: w.samples ?? Math.ceil(w.duration! / def.cadenceMs),
    keyedTopics,
    globalTopics,
    topicIndex,
    fillFields: Object.keys(def.fills),
    fillStrategies: Object.values(def.fills),
    order,
    outputPrefixes: order.map((m) => `${def.name}/${m.name}`),
    concurrency: def.concurrency ?? 16,
  };
}
