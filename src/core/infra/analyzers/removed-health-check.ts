import type { Severity } from '../../model.js';
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
 * removed-health-check: the checks that keep traffic away from a container that is not ready, and restart one
 * that hangs, were removed or made trivial: Kubernetes readiness, liveness and startup probes (manifests and
 * Helm values), a compose service's healthcheck and the `service_healthy` condition its dependants waited on,
 * and the final stage's Dockerfile HEALTHCHECK.
 */

const PROBES: Record<string, { label: string; severity: Severity }> = {
  readinessProbe: { label: 'readiness probe', severity: 'high' },
  livenessProbe: { label: 'liveness probe', severity: 'medium' },
  startupProbe: { label: 'startup probe', severity: 'medium' },
};
const HANDLERS = ['httpGet', 'grpc', 'exec', 'tcpSocket'];
/** A probe is this many times more tolerant (failureThreshold × periodSeconds) before it is called weakened. */
const TOLERANCE_FACTOR = 3;

export function compareHealthChecks(base: DeployModel, head: DeployModel): DeployFinding[] {
  const out: DeployFinding[] = [];
  const emit = (finding: DeployFinding): void => {
    out.push(finding);
  };
  if (base.kind === 'dockerfile' && head.kind === 'dockerfile') compareDockerfile(base, head, emit);
  if ((base.kind === 'kubernetes' || base.kind === 'helm-values') && base.kind === head.kind) compareProbes(base, head, emit);
  if (base.kind === 'compose' && head.kind === 'compose') compareCompose(base, head, emit);
  return out;
}

type Emit = (finding: DeployFinding) => void;

function compareDockerfile(base: DeployModel, head: DeployModel, emit: Emit): void {
  const before = base.settings.get('healthcheck');
  if (!before || before.value === 'NONE') return;
  const after = head.settings.get('healthcheck');
  if (after && after.value !== 'NONE') return;
  emit({
    severity: 'medium',
    line: after ? after.line : before.line,
    side: after ? 'head' : 'base',
    key: 'dockerfile/healthcheck',
    message: after
      ? "HEALTHCHECK NONE switches off the image's health check: a hung container is no longer reported unhealthy"
      : "the final stage's HEALTHCHECK was removed: a hung container is no longer reported unhealthy",
    evidence: { kind: after ? 'weakened' : 'removed', before: before.value },
  });
}

function compareProbes(base: DeployModel, head: DeployModel, emit: Emit): void {
  for (const setting of base.settings.values()) {
    const probe = PROBES[lastSegment(setting.path)];
    if (!probe) continue;
    const owner = parentPath(setting.path);
    // The container or object itself went away: that is a removal of the workload, not of its probe.
    if (owner && !head.settings.has(owner)) continue;
    if (!probeActive(base, setting.path)) continue;
    const where = describeOwner(owner);
    const after = head.settings.get(setting.path);
    if (!after || !probeActive(head, setting.path)) {
      emit({
        severity: probe.severity,
        line: after ? after.line : setting.line,
        side: after ? 'head' : 'base',
        key: setting.path,
        symbol: where,
        message: `the ${probe.label} of ${where} was ${after ? 'disabled' : 'removed'}: ${
          probe.label === 'readiness probe' ? 'traffic reaches pods before they can serve it' : 'a hung container is no longer restarted'
        }`,
        evidence: { kind: 'removed', probe: lastSegment(setting.path) },
      });
      continue;
    }
    const weakening = probeWeakening(base, head, setting.path);
    if (weakening) {
      emit({
        severity: 'medium',
        line: after.line,
        side: 'head',
        key: setting.path,
        symbol: where,
        message: `the ${probe.label} of ${where} was weakened: ${weakening}`,
        evidence: { kind: 'weakened', probe: lastSegment(setting.path) },
      });
    }
  }
}

function probeActive(model: DeployModel, path: string): boolean {
  const setting = model.settings.get(path);
  if (!setting || setting.value !== 'map') return false;
  const enabled = model.settings.get(`${path}/enabled`)?.value;
  if (enabled === false || enabled === 'false') return false;
  if (model.kind === 'helm-values') return childrenOf(model, path).length > 0;
  return HANDLERS.some((h) => model.settings.has(`${path}/${h}`));
}

function probeWeakening(base: DeployModel, head: DeployModel, path: string): string | undefined {
  const handlerOf = (model: DeployModel): string | undefined => HANDLERS.find((h) => model.settings.has(`${path}/${h}`));
  const before = handlerOf(base);
  const after = handlerOf(head);
  if (before && after && before !== after && (before === 'httpGet' || before === 'grpc') && after === 'tcpSocket') {
    return `it checked ${before === 'httpGet' ? 'an HTTP endpoint' : 'the gRPC health service'} and now only that the port accepts connections`;
  }
  if (
    after === 'exec' &&
    before !== undefined &&
    isTrivialCommand(head, `${path}/exec/command`) &&
    !isTrivialCommand(base, `${path}/exec/command`)
  ) {
    return 'its command always succeeds';
  }
  const tolerance = (model: DeployModel): number =>
    numberAt(model, `${path}/failureThreshold`, 3) * numberAt(model, `${path}/periodSeconds`, 10);
  const factor = tolerance(head) / tolerance(base);
  if (factor >= TOLERANCE_FACTOR) {
    return `it now tolerates ${tolerance(head)} s of failures before acting, ${Math.round(factor)}× the ${tolerance(base)} s before`;
  }
  return undefined;
}

function isTrivialCommand(model: DeployModel, path: string): boolean {
  const words = childrenOf(model, path).map((s) => String(s.value));
  const text = words.join(' ').trim();
  return /^(true|\/bin\/true|exit 0|echo( .*)?)$/.test(text) || /^(\/bin\/)?(ba)?sh -c (true|exit 0|echo.*)$/.test(text);
}

function numberAt(model: DeployModel, path: string, fallback: number): number {
  const value = model.settings.get(path)?.value;
  return typeof value === 'number' && value > 0 ? value : fallback;
}

function compareCompose(base: DeployModel, head: DeployModel, emit: Emit): void {
  for (const service of childrenOf(base, 'services')) {
    const name = lastSegment(service.path);
    if (!head.settings.has(service.path)) continue;
    const check = `${service.path}/healthcheck`;
    if (composeCheckActive(base, check) && !composeCheckActive(head, check)) {
      const after = head.settings.get(check);
      emit({
        severity: 'medium',
        line: after ? after.line : base.settings.get(check)!.line,
        side: after ? 'head' : 'base',
        key: check,
        symbol: `service ${name}`,
        message: `the healthcheck of compose service ${name} was ${after ? 'disabled' : 'removed'}: nothing reports it unhealthy, and dependants can no longer wait for it`,
        evidence: { kind: 'removed' },
      });
    }
    for (const dependency of childrenOf(base, `${service.path}/depends_on`)) {
      const condition = base.settings.get(`${dependency.path}/condition`);
      if (condition?.value !== 'service_healthy') continue;
      const dependencyName = lastSegment(dependency.path).replace(/^=/, '');
      const stillMapped = head.settings.get(`${dependency.path}/condition`);
      const asListMember = head.settings.get(`${service.path}/depends_on/=${dependencyName}`);
      const shortForm = head.settings.get(dependency.path);
      if (stillMapped?.value === 'service_healthy') continue;
      const at = stillMapped ?? asListMember ?? shortForm;
      if (!at) continue; // the dependency itself was dropped
      emit({
        severity: 'medium',
        line: at.line,
        side: 'head',
        key: `${dependency.path}/condition`,
        symbol: `service ${name}`,
        message: `compose service ${name} no longer waits for ${dependencyName} to be healthy (condition ${String(stillMapped?.value ?? 'service_started')}): it starts against a dependency that may not be ready`,
        evidence: { kind: 'weakened', before: 'service_healthy', after: stillMapped?.value ?? 'service_started' },
      });
    }
  }
}

function composeCheckActive(model: DeployModel, path: string): boolean {
  if (model.settings.get(path)?.value !== 'map') return false;
  const disabled = model.settings.get(`${path}/disable`)?.value;
  if (disabled === true || disabled === 'true') return false;
  const test = model.settings.get(`${path}/test`);
  if (!test) return true;
  if (test.value === 'NONE') return false;
  const first = childrenOf(model, `${path}/test`)[0];
  return first?.value !== 'NONE';
}

export const removedHealthCheck = defineAnalyzer({
  meta: {
    id: 'removed-health-check',
    category: 'health-check',
    severity: 'medium',
    description:
      'A readiness, liveness or startup probe, a compose or Dockerfile healthcheck, or a wait for a healthy dependency was removed or made trivial.',
    messages: {
      removed: '{{detail}}',
      weakened: '{{detail}}',
    },
    reads: DEPLOY_GLOBS,
    docs: {
      catches:
        'Compares the settings of both versions of a deployment file by identity (Kubernetes object and container name, compose ' +
        "service, Helm values path, the Dockerfile's final stage), not by line. Flags a readiness probe removed or disabled (high: " +
        'traffic reaches pods that cannot serve it), a liveness or startup probe removed (medium), a probe weakened: an HTTP or gRPC ' +
        'check replaced by a TCP connect, an exec probe whose command always succeeds, failureThreshold × periodSeconds tripled or ' +
        "more; a compose service's healthcheck removed or disabled (`disable: true`, `test: [NONE]`), a `depends_on` entry that " +
        "waited for `condition: service_healthy` and now only for the start; the final stage's HEALTHCHECK removed or set to NONE.",
      ignores:
        'A probe that goes away with its container or workload (the thing was removed, not its check); a probe whose timings ' +
        'change within a factor of three; Helm chart templates (Go templates, not YAML); a healthcheck of an earlier build stage. ' +
        'Files under examples, fixtures, tests or docs, and dev and local setups (`docker-compose.dev.yml`, `dev/`), are ' +
        'reported at info.',
      example: {
        file: 'deploy/api.yaml',
        before: [
          'apiVersion: apps/v1',
          'kind: Deployment',
          'metadata:',
          '  name: api',
          'spec:',
          '  replicas: 3',
          '  template:',
          '    spec:',
          '      containers:',
          '        - name: api',
          '          image: registry.example.com/api:1.4.2',
          '          readinessProbe:',
          '            httpGet:',
          '              path: /ready',
          '              port: 8080',
          '            periodSeconds: 5',
          '',
        ].join('\n'),
        after: [
          'apiVersion: apps/v1',
          'kind: Deployment',
          'metadata:',
          '  name: api',
          'spec:',
          '  replicas: 3',
          '  template:',
          '    spec:',
          '      containers:',
          '        - name: api',
          '          image: registry.example.com/api:1.5.0',
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
    return asAnalyzerFindings(change.path, compareHealthChecks(models.base, models.head), change.tree);
  },
});
