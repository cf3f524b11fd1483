import { defineAnalyzer, type FileChange } from '../define-analyzer.js';
import {
  asAnalyzerFindings,
  chartManifestRequests,
  childrenOf,
  DEPLOY_GLOBS,
  deployModels,
  describeOwner,
  lastSegment,
  parentPath,
  parseDeployFile,
  type DeployFinding,
  type DeployModel,
} from '../formats/deploy.js';

/**
 * loosened-deployment-limits: the limits that keep one workload from starving its neighbours or going down
 * whole were removed or loosened: resource limits and requests (Kubernetes, Helm values, compose), replicas or
 * autoscaler minimums lowered to one, a PodDisruptionBudget deleted or loosened.
 */

/** A limit raised more than this many times is no longer the limit it was. */
const RAISE_FACTOR = 4;
const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'ReplicaSet']);

export interface LimitsContext {
  /** Kubernetes objects (`Kind/namespace/name`) the whole pull request removed: a decommissioned workload takes its PDB with it. */
  removedObjects: Set<string>;
}

export function compareDeploymentLimits(base: DeployModel, head: DeployModel, context: LimitsContext): DeployFinding[] {
  const out: DeployFinding[] = [];
  const emit = (finding: DeployFinding): void => {
    out.push(finding);
  };
  if (base.kind === 'dockerfile' || base.kind !== head.kind) return out;
  compareResources(base, head, emit);
  compareReplicas(base, head, emit);
  if (base.kind === 'kubernetes') compareDisruptionBudgets(base, head, context, emit);
  if (base.kind === 'helm-values') compareHelmToggles(base, head, emit);
  return out;
}

type Emit = (finding: DeployFinding) => void;

/** Quantities in Kubernetes and compose notation (`512Mi`, `1G`, `500m`, `0.5`) as plain numbers, to compare. */
export function quantity(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const match = /^\s*([\d.]+)\s*([a-zA-Z]*)\s*$/.exec(value);
  if (!match) return undefined;
  const units: Record<string, number> = {
    '': 1,
    m: 1e-3,
    k: 1e3,
    K: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    b: 1,
    kb: 1e3,
    mb: 1e6,
    gb: 1e9,
    KB: 1e3,
    MB: 1e6,
    GB: 1e9,
    g: 1e9,
  };
  const unit = units[match[2]!];
  return unit === undefined ? undefined : Number(match[1]) * unit;
}

function compareResources(base: DeployModel, head: DeployModel, emit: Emit): void {
  for (const setting of base.settings.values()) {
    if (lastSegment(setting.path) !== 'resources' || setting.value !== 'map') continue;
    const owner = parentPath(setting.path);
    if (owner && !head.settings.has(owner)) continue;
    const removed: string[] = [];
    const raised: string[] = [];
    for (const group of ['limits', 'requests']) {
      for (const limit of childrenOf(base, `${setting.path}/${group}`)) {
        const name = lastSegment(limit.path);
        const after = head.settings.get(limit.path);
        if (!after || after.value === null || after.value === '') removed.push(`${group}.${name}`);
        else {
          const from = quantity(limit.value);
          const to = quantity(after.value);
          if (from && to && to / from > RAISE_FACTOR) raised.push(`${group}.${name} ${String(limit.value)} → ${String(after.value)}`);
        }
      }
    }
    if (!removed.length && !raised.length) continue;
    const memoryLimitGone = removed.includes('limits.memory');
    const where = describeOwner(owner);
    const after = head.settings.get(setting.path);
    emit({
      severity: memoryLimitGone ? 'medium' : 'low',
      line: removed.length && !after ? setting.line : (after?.line ?? setting.line),
      side: removed.length && !after ? 'base' : 'head',
      key: setting.path,
      symbol: where,
      message: removed.length
        ? `resource ${removed.join(', ')} of ${where} removed${memoryLimitGone ? ": nothing stops it from taking the node's memory" : ''}${raised.length ? `; raised: ${raised.join(', ')}` : ''}`
        : `resource limits of ${where} raised more than ${RAISE_FACTOR}×: ${raised.join(', ')}`,
      evidence: { kind: removed.length ? 'removed' : 'weakened', removed, raised },
    });
  }
  // compose's short forms
  if (base.kind !== 'compose') return;
  for (const service of childrenOf(base, 'services')) {
    if (!head.settings.has(service.path)) continue;
    const gone = ['mem_limit', 'cpus', 'pids_limit'].filter(
      (key) => base.settings.has(`${service.path}/${key}`) && !head.settings.has(`${service.path}/${key}`),
    );
    if (!gone.length) continue;
    emit({
      severity: gone.includes('mem_limit') ? 'medium' : 'low',
      line: base.settings.get(`${service.path}/${gone[0]}`)!.line,
      side: 'base',
      key: `${service.path}/limits`,
      symbol: `service ${lastSegment(service.path)}`,
      message: `compose service ${lastSegment(service.path)} lost its ${gone.join(', ')} limit${gone.length > 1 ? 's' : ''}`,
      evidence: { kind: 'removed', removed: gone },
    });
  }
}

const REPLICA_KEYS = new Set(['replicas', 'replicaCount', 'minReplicas']);

function compareReplicas(base: DeployModel, head: DeployModel, emit: Emit): void {
  const hasAutoscaler = [...head.objects.values()].some((o) => o.kind === 'HorizontalPodAutoscaler');
  for (const setting of base.settings.values()) {
    const key = lastSegment(setting.path);
    if (!REPLICA_KEYS.has(key) || typeof setting.value !== 'number' || setting.value < 2) continue;
    if (base.kind === 'kubernetes') {
      const object = base.objects.get(setting.path.split('/').slice(0, 3).join('/'));
      const isWorkloadReplicas = key === 'replicas' && object && WORKLOAD_KINDS.has(object.kind) && setting.path.endsWith('/spec/replicas');
      const isAutoscalerMin = key === 'minReplicas' && object?.kind === 'HorizontalPodAutoscaler';
      if (!isWorkloadReplicas && !isAutoscalerMin) continue;
    }
    const owner = parentPath(setting.path);
    if (owner && !head.settings.has(owner)) continue;
    const after = head.settings.get(setting.path);
    const value = after?.value;
    const lowered = typeof value === 'number' && value <= 1;
    // A Deployment without `replicas` runs one pod, unless an autoscaler now owns the count.
    const dropped = !after && base.kind === 'kubernetes' && key === 'replicas' && !hasAutoscaler;
    if (!lowered && !dropped) continue;
    const where = describeOwner(parentPath(setting.path));
    emit({
      severity: 'medium',
      line: after ? after.line : setting.line,
      side: after ? 'head' : 'base',
      key: setting.path,
      symbol: where,
      message: `${key} of ${where} ${after ? `lowered from ${setting.value} to ${String(value)}` : `removed (was ${setting.value}; the default is one)`}: a single pod means downtime on every restart, rollout or node drain`,
      evidence: { kind: after ? 'weakened' : 'removed', before: setting.value, after: value ?? null },
    });
  }
}

function compareDisruptionBudgets(base: DeployModel, head: DeployModel, context: LimitsContext, emit: Emit): void {
  const workloadsRemoved = [...context.removedObjects].some((id) => WORKLOAD_KINDS.has(id.split('/')[0]!) || id.startsWith('StatefulSet/'));
  for (const [identity, object] of base.objects) {
    if (object.kind !== 'PodDisruptionBudget') continue;
    const name = identity.split('/')[2];
    if (!head.objects.has(identity)) {
      if (workloadsRemoved) continue;
      emit({
        severity: 'medium',
        line: object.line,
        side: 'base',
        key: identity,
        symbol: `PodDisruptionBudget ${name}`,
        message: `PodDisruptionBudget ${name} was removed: a node drain or cluster upgrade may now evict every pod at once`,
        evidence: { kind: 'removed' },
      });
      continue;
    }
    const loosened = budgetLoosening(base, head, identity);
    if (loosened) {
      emit({
        severity: 'medium',
        line: loosened.line,
        side: 'head',
        key: identity,
        symbol: `PodDisruptionBudget ${name}`,
        message: `PodDisruptionBudget ${name} was loosened: ${loosened.what}`,
        evidence: { kind: 'weakened' },
      });
    }
  }
}

function budgetLoosening(base: DeployModel, head: DeployModel, identity: string): { what: string; line: number } | undefined {
  const read = (model: DeployModel, key: string): { value: number; percent: boolean; line: number } | undefined => {
    const setting = model.settings.get(`${identity}/spec/${key}`);
    if (!setting) return undefined;
    const text = String(setting.value);
    const percent = text.endsWith('%');
    const value = Number(percent ? text.slice(0, -1) : text);
    return Number.isFinite(value) ? { value, percent, line: setting.line } : undefined;
  };
  const minBefore = read(base, 'minAvailable');
  const minAfter = read(head, 'minAvailable');
  if (minBefore && minAfter && minBefore.percent === minAfter.percent && minAfter.value < minBefore.value) {
    return {
      what: `minAvailable ${minBefore.value}${minBefore.percent ? '%' : ''} → ${minAfter.value}${minAfter.percent ? '%' : ''}`,
      line: minAfter.line,
    };
  }
  const maxBefore = read(base, 'maxUnavailable');
  const maxAfter = read(head, 'maxUnavailable');
  if (maxBefore && maxAfter && maxBefore.percent === maxAfter.percent && maxAfter.value > maxBefore.value) {
    return {
      what: `maxUnavailable ${maxBefore.value}${maxBefore.percent ? '%' : ''} → ${maxAfter.value}${maxAfter.percent ? '%' : ''}`,
      line: maxAfter.line,
    };
  }
  return undefined;
}

/** Helm values that switch a chart's budget or autoscaler off. */
function compareHelmToggles(base: DeployModel, head: DeployModel, emit: Emit): void {
  for (const setting of base.settings.values()) {
    const segments = setting.path.split('/');
    const last = segments[segments.length - 1]!;
    const parent = (segments[segments.length - 2] ?? '').toLowerCase();
    if (!['enabled', 'create'].includes(last) || setting.value !== true) continue;
    if (!/^(poddisruptionbudget|pdb)$/.test(parent)) continue;
    const after = head.settings.get(setting.path);
    if (!after || after.value !== false) continue;
    emit({
      severity: 'medium',
      line: after.line,
      side: 'head',
      key: setting.path,
      symbol: 'the chart',
      message: `the chart's PodDisruptionBudget was switched off (${segments.join('.')}: false): a node drain may evict every pod at once`,
      evidence: { kind: 'removed' },
    });
  }
}

/** Kubernetes objects the pull request removed in any file it changed (a deleted manifest, a dropped document). */
function removedObjects(change: FileChange): Set<string> {
  const removed = new Set<string>();
  for (const file of change.changed) {
    if (file.status === 'added' || !/\.ya?ml$/.test(file.oldPath ?? file.path)) continue;
    const baseText = change.tree.read('base', file.oldPath ?? file.path);
    if (baseText === undefined) continue;
    const base = parseDeployFile(file.oldPath ?? file.path, baseText);
    if (!base?.ok) continue;
    const headText = file.status === 'deleted' ? undefined : change.tree.read('head', file.path);
    const head = headText === undefined ? undefined : parseDeployFile(file.path, headText);
    for (const identity of base.model.objects.keys()) if (!(head?.ok && head.model.objects.has(identity))) removed.add(identity);
  }
  return removed;
}

export const loosenedDeploymentLimits = defineAnalyzer({
  meta: {
    id: 'loosened-deployment-limits',
    category: 'resource-limit',
    severity: 'medium',
    description:
      'Resource limits or requests removed or raised many times, replicas or an autoscaler minimum lowered to one, or a PodDisruptionBudget removed or loosened.',
    messages: {
      removed: '{{detail}}',
      weakened: '{{detail}}',
    },
    reads: DEPLOY_GLOBS,
    docs: {
      catches:
        'Compares Kubernetes manifests, Helm values and compose files setting by setting. Flags a memory limit removed (medium: nothing ' +
        "stops the container from taking the node's memory), CPU limits or requests removed (low), a limit raised more than 4×, " +
        '`replicas`/`replicaCount`/HPA `minReplicas` lowered from two or more to one, or `replicas` dropped from a Deployment that no ' +
        'autoscaler manages (the default is one), a PodDisruptionBudget deleted, its `minAvailable` lowered or `maxUnavailable` ' +
        "raised, a chart's `podDisruptionBudget.enabled` switched off, and compose `mem_limit`/`cpus`/`pids_limit` removed.",
      ignores:
        'Limits that go away with their container or workload; a PodDisruptionBudget removed in a pull request that also removes a ' +
        'workload (a decommissioned service); replicas that stay at two or more; `replicas` removed when an autoscaler owns the ' +
        'count. Files under examples, fixtures, tests or docs, and dev and local setups, are reported at info.',
      example: {
        file: 'k8s/worker.yaml',
        before: [
          'apiVersion: apps/v1',
          'kind: Deployment',
          'metadata:',
          '  name: worker',
          'spec:',
          '  replicas: 2',
          '  template:',
          '    spec:',
          '      containers:',
          '        - name: worker',
          '          image: registry.example.com/worker:2.0.1',
          '          resources:',
          '            requests:',
          '              memory: 256Mi',
          '            limits:',
          '              memory: 512Mi',
          '',
        ].join('\n'),
        after: [
          'apiVersion: apps/v1',
          'kind: Deployment',
          'metadata:',
          '  name: worker',
          'spec:',
          '  replicas: 2',
          '  template:',
          '    spec:',
          '      containers:',
          '        - name: worker',
          '          image: registry.example.com/worker:2.1.0',
          '          resources:',
          '            requests:',
          '              memory: 256Mi',
          '',
        ].join('\n'),
      },
    },
  },
  // A manifest under templates/ is a Helm chart's (weighed as deployed) only beside a Chart.yaml.
  context: (file) => chartManifestRequests(file),
  analyze(change) {
    const models = deployModels(change);
    if (!models) return [];
    if (change.head === undefined && models.base.kind !== 'kubernetes') return [];
    return asAnalyzerFindings(
      change.path,
      compareDeploymentLimits(models.base, models.head, { removedObjects: removedObjects(change) }),
      change.tree,
    );
  },
});
