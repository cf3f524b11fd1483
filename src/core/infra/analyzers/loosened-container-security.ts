import { severityRank, type Severity } from '../../model.js';
import { defineAnalyzer } from '../define-analyzer.js';
import {
  asAnalyzerFindings,
  chartManifestRequests,
  childrenOf,
  DEPLOY_GLOBS,
  deployModels,
  describeOwner,
  lastSegment,
  parentPath,
  type DeployFinding,
  type DeployModel,
} from '../formats/deploy.js';

/**
 * loosened-container-security: the limits on what a container may do were loosened: it runs as root again (the
 * Dockerfile's last USER, `runAsNonRoot`, `runAsUser: 0`, compose `user`), may write its root filesystem,
 * escalate privileges, run privileged, share the host's network or process namespace, or gained capabilities.
 */

/** Capabilities that amount to root on the node. */
const DANGEROUS_CAPABILITIES = new Set(['ALL', 'SYS_ADMIN', 'NET_ADMIN', 'SYS_PTRACE', 'SYS_MODULE', 'DAC_READ_SEARCH', 'NET_RAW']);
const HOST_NAMESPACES = ['hostNetwork', 'hostPID', 'hostIPC'];

interface Loosening {
  what: string;
  severity: Severity;
  line: number;
  side: 'base' | 'head';
}

export function compareContainerSecurity(base: DeployModel, head: DeployModel): DeployFinding[] {
  if (base.kind !== head.kind) return [];
  const byOwner = new Map<string, Loosening[]>();
  const add = (owner: string, loosening: Loosening): void => {
    byOwner.set(owner, [...(byOwner.get(owner) ?? []), loosening]);
  };
  if (base.kind === 'dockerfile') compareDockerUser(base, head, add);
  else if (base.kind === 'compose') compareComposeServices(base, head, add);
  else compareSecurityContexts(base, head, add);

  const out: DeployFinding[] = [];
  for (const [owner, loosenings] of byOwner) {
    const worst = loosenings.reduce((a, b) => (severityRank(b.severity) > severityRank(a.severity) ? b : a));
    const where = base.kind === 'dockerfile' ? 'the image' : describeOwner(owner);
    out.push({
      severity: worst.severity,
      line: worst.line,
      side: worst.side,
      key: `${owner}/security`,
      symbol: where,
      message: `${where} runs with fewer restrictions: ${loosenings.map((l) => l.what).join('; ')}`,
      evidence: { kind: 'weakened', changes: loosenings.map((l) => l.what) },
    });
  }
  return out;
}

type Add = (owner: string, loosening: Loosening) => void;

const isRoot = (user: unknown): boolean => /^(root|0)(:(root|0))?$/.test(String(user ?? '').trim());

function compareDockerUser(base: DeployModel, head: DeployModel, add: Add): void {
  const before = base.settings.get('user');
  if (!before || isRoot(before.value) || String(before.value).includes('$')) return;
  const after = head.settings.get('user');
  if (after && !isRoot(after.value)) return;
  add('dockerfile', {
    what: after
      ? `the final stage switches to USER ${String(after.value)} (it ran as ${String(before.value)})`
      : `the final stage's USER ${String(before.value)} was removed, so it runs as the base image's user, usually root`,
    severity: after ? 'high' : 'medium',
    line: after ? after.line : before.line,
    side: after ? 'head' : 'base',
  });
}

function compareComposeServices(base: DeployModel, head: DeployModel, add: Add): void {
  for (const service of childrenOf(head, 'services')) {
    if (!base.settings.has(service.path)) continue; // a new service is not a loosening of an old one
    const at = (model: DeployModel, key: string): unknown => model.settings.get(`${service.path}/${key}`)?.value;
    const line = (key: string, model: DeployModel = head): number => model.settings.get(`${service.path}/${key}`)?.line ?? service.line;
    const userBefore = at(base, 'user');
    if (userBefore !== undefined && !isRoot(userBefore) && (at(head, 'user') === undefined || isRoot(at(head, 'user')))) {
      const removed = at(head, 'user') === undefined;
      add(service.path, {
        what: removed ? `user ${String(userBefore)} removed` : `user ${String(userBefore)} → ${String(at(head, 'user'))}`,
        severity: removed ? 'medium' : 'high',
        line: removed ? line('user', base) : line('user'),
        side: removed ? 'base' : 'head',
      });
    }
    if (at(head, 'privileged') === true && at(base, 'privileged') !== true)
      add(service.path, { what: 'privileged: true', severity: 'high', line: line('privileged'), side: 'head' });
    if (at(base, 'read_only') === true && at(head, 'read_only') !== true)
      add(service.path, { what: 'read_only root filesystem removed', severity: 'medium', line: line('read_only', base), side: 'base' });
    for (const namespace of ['network_mode', 'pid']) {
      if (at(head, namespace) === 'host' && at(base, namespace) !== 'host')
        add(service.path, { what: `${namespace}: host`, severity: 'high', line: line(namespace), side: 'head' });
    }
    addedCapabilities(base, head, `${service.path}/cap_add`, service.path, add);
    const noNewPrivileges = (model: DeployModel): boolean =>
      childrenOf(model, `${service.path}/security_opt`).some((s) => /^no-new-privileges(:true)?$/.test(String(s.value)));
    if (noNewPrivileges(base) && !noNewPrivileges(head))
      add(service.path, {
        what: 'security_opt no-new-privileges removed',
        severity: 'medium',
        line: line('security_opt', base),
        side: 'base',
      });
  }
}

function addedCapabilities(base: DeployModel, head: DeployModel, listPath: string, owner: string, add: Add): void {
  for (const capability of childrenOf(head, listPath)) {
    if (base.settings.has(capability.path)) continue;
    const name = String(capability.value).replace(/^CAP_/, '');
    add(owner, {
      what: `capability ${name} added`,
      severity: DANGEROUS_CAPABILITIES.has(name) ? 'high' : 'medium',
      line: capability.line,
      side: 'head',
    });
  }
}

/** Kubernetes (pod and container) and Helm values security contexts, wherever a `*securityContext` key holds one. */
function compareSecurityContexts(base: DeployModel, head: DeployModel, add: Add): void {
  const contexts = new Set<string>();
  for (const model of [base, head]) {
    for (const setting of model.settings.values()) {
      if (/securitycontext$/i.test(lastSegment(setting.path)) && setting.value === 'map') contexts.add(setting.path);
    }
  }
  for (const context of contexts) {
    const owner = parentPath(context);
    if (owner && (!head.settings.has(owner) || !base.settings.has(owner))) continue;
    const before = (key: string): unknown => base.settings.get(`${context}/${key}`)?.value;
    const after = (key: string): unknown => head.settings.get(`${context}/${key}`)?.value;
    const lineIn = (model: DeployModel, key: string): number =>
      model.settings.get(`${context}/${key}`)?.line ?? model.settings.get(context)?.line ?? 1;
    const lost = (key: string, what: string, severity: Severity, safe: unknown): void => {
      if (before(key) !== safe || after(key) === safe) return;
      const present = head.settings.has(`${context}/${key}`);
      add(owner, {
        what: present ? `${what} ${String(safe)} → ${String(after(key))}` : `${what} ${String(safe)} removed`,
        severity,
        line: present ? lineIn(head, key) : lineIn(base, key),
        side: present ? 'head' : 'base',
      });
    };
    lost('runAsNonRoot', 'runAsNonRoot', 'high', true);
    lost('readOnlyRootFilesystem', 'readOnlyRootFilesystem', 'medium', true);
    lost('allowPrivilegeEscalation', 'allowPrivilegeEscalation', 'medium', false);
    lost('enabled', 'securityContext enabled', 'high', true);
    if (after('privileged') === true && before('privileged') !== true)
      add(owner, { what: 'privileged: true', severity: 'high', line: lineIn(head, 'privileged'), side: 'head' });
    const userBefore = before('runAsUser');
    if (typeof userBefore === 'number' && userBefore > 0 && after('runAsUser') === 0)
      add(owner, { what: `runAsUser ${userBefore} → 0 (root)`, severity: 'high', line: lineIn(head, 'runAsUser'), side: 'head' });
    if (base.settings.has(`${context}/capabilities/drop/=ALL`) && !head.settings.has(`${context}/capabilities/drop/=ALL`)) {
      add(owner, { what: 'capabilities drop ALL removed', severity: 'medium', line: lineIn(base, 'capabilities'), side: 'base' });
    }
    addedCapabilities(base, head, `${context}/capabilities/add`, owner, add);
  }
  // Pod-level host namespaces.
  for (const setting of head.settings.values()) {
    const key = lastSegment(setting.path);
    if (!HOST_NAMESPACES.includes(key) || setting.value !== true) continue;
    if (base.settings.get(setting.path)?.value === true || !base.settings.has(parentPath(setting.path))) continue;
    add(parentPath(setting.path), { what: `${key}: true`, severity: 'high', line: setting.line, side: 'head' });
  }
}

export const loosenedContainerSecurity = defineAnalyzer({
  meta: {
    id: 'loosened-container-security',
    category: 'resource-limit',
    severity: 'high',
    description:
      "A container runs as root again, may write its root filesystem or escalate privileges, runs privileged or in the host's namespaces, or gained capabilities.",
    messages: {
      weakened: '{{detail}}',
    },
    reads: DEPLOY_GLOBS,
    docs: {
      catches:
        "The limits on what a container may do, compared by identity in both versions: the Dockerfile final stage's last `USER` " +
        'switched to root (high) or removed (medium); in Kubernetes manifests and Helm values, any `securityContext` (pod, ' +
        'container, `podSecurityContext`, `containerSecurityContext`) losing `runAsNonRoot: true` (high), `readOnlyRootFilesystem: ' +
        'true` or `allowPrivilegeEscalation: false` (medium), `runAsUser` set to 0, `privileged: true` or `hostNetwork`/`hostPID`/' +
        '`hostIPC` added (high), `capabilities.drop: [ALL]` removed, capabilities added (high for SYS_ADMIN, NET_ADMIN, ALL and the ' +
        'like); in compose, `user` switched to root, `privileged`, host network or pid, `read_only` and `no-new-privileges` removed, ' +
        '`cap_add` grown. One finding per container, listing every loosening.',
      ignores:
        'New services and containers (nothing was loosened); a USER that was already root or a build argument; settings that go ' +
        'away with their container. Files under examples, fixtures, tests or docs, and dev and local setups, are reported at info.',
      example: {
        file: 'Dockerfile',
        before: [
          'FROM node:22-slim',
          'WORKDIR /app',
          'COPY --chown=node:node . .',
          'RUN npm ci --omit=dev',
          'USER node',
          'CMD ["node", "server.js"]',
          '',
        ].join('\n'),
        after: [
          'FROM node:22-slim',
          'WORKDIR /app',
          'COPY . .',
          'RUN npm ci --omit=dev',
          'USER root',
          'CMD ["node", "server.js"]',
          '',
        ].join('\n'),
      },
    },
  },
  // A manifest under templates/ is a Helm chart's (weighed as deployed) only beside a Chart.yaml.
  context: (file) => chartManifestRequests(file),
  analyze(change) {
    const models = deployModels(change);
    if (!models || change.head === undefined) return [];
    return asAnalyzerFindings(change.path, compareContainerSecurity(models.base, models.head), change.tree);
  },
});
