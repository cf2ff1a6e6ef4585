import type { ConfigIssue } from '../../internal/errors.js';
import type { PipelineModule } from './pipeline-types.js';

/**
 * Checks the module graph: unique names, every `dependsOn` names a declared module, no cycle.
 * Returns the problems found (empty when the graph is sound) and, when sound, the modules in an order
 * where each comes after everything it depends on (declaration order kept among independent ones).
 */
export function checkModuleGraph(
  modules: readonly PipelineModule[],
  pathPrefix = 'modules',
): { issues: ConfigIssue[]; order: PipelineModule[] } {
  const issues: ConfigIssue[] = [];
  const byName = new Map<string, PipelineModule>();
  modules.forEach((m, i) => {
    if (byName.has(m.name)) {
      issues.push({
        path: `${pathPrefix}[${i}].name`,
        expected: 'a module name used once',
        found: JSON.stringify(m.name),
        message: `module "${m.name}" is declared twice`,
      });
    }
    byName.set(m.name, m);
  });
  modules.forEach((m, i) => {
    (m.dependsOn ?? []).forEach((dep, j) => {
      if (!byName.has(dep)) {
        issues.push({
          path: `${pathPrefix}[${i}].dependsOn[${j}]`,
          expected: `one of the declared modules (${[...byName.keys()].join(', ') || 'none'})`,
          found: JSON.stringify(dep),
          message: `module "${m.name}" depends on "${dep}", which is not declared: declare it or remove the dependency`,
        });
      }
    });
  });
  if (issues.length > 0) return { issues, order: [] };

  // Depth-first search; a grey node met again closes a cycle, reported as the path around it.
  const state = new Map<string, 'grey' | 'black'>();
  const order: PipelineModule[] = [];
  const stack: string[] = [];
  const visit = (name: string): boolean => {
    const seen = state.get(name);
    if (seen === 'black') return true;
    if (seen === 'grey') {
      const cycle = [...stack.slice(stack.indexOf(name)), name];
      issues.push({
        path: `${pathPrefix}[${modules.findIndex((m) => m.name === name)}].dependsOn`,
        expected: 'modules without circular dependencies',
        found: cycle.join(' → '),
        message: `modules depend on each other in a cycle: ${cycle.join(' → ')}; remove one of these dependencies`,
      });
      return false;
    }
    state.set(name, 'grey');
    stack.push(name);
    const mod = byName.get(name)!;
    for (const dep of mod.dependsOn ?? []) if (!visit(dep)) return false;
    stack.pop();
    state.set(name, 'black');
    order.push(mod);
    return true;
  };
  for (const m of modules) if (!visit(m.name)) return { issues, order: [] };
  return { issues, order };
}
