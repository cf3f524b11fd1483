import type { Severity, Side } from '../../model.js';
import { UnreadableFileError, type AnalyzerFinding, type ContextRequest, type FileChange, type TreeView } from '../define-analyzer.js';
import type { Node as YamlNode } from 'yaml';
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments } from '../../yaml-library.js';
import { byPathAndText, memoize } from '../../memo.js';
import { dockerfileParser } from './parsers.js';

/**
 * A semantic model of a deployment file (Dockerfile, Kubernetes manifests, docker compose, Helm values): every
 * setting under a stable identity path, so that the base and head versions can be compared setting by setting
 * rather than line by line. Identity paths name things, not positions: a Kubernetes object by kind, namespace
 * and name, a container by its `name`, a compose service by its key, so reordering or reformatting changes nothing.
 */
export type DeployKind = 'dockerfile' | 'kubernetes' | 'compose' | 'helm-values';

export interface DeploySetting {
  /** Identity path, segments joined by '/'. */
  path: string;
  /** Scalar value (string, number, boolean, null) or, for a collection, the string 'map' or 'list'. */
  value: unknown;
  line: number;
}

export interface DeployModel {
  kind: DeployKind;
  settings: Map<string, DeploySetting>;
  /** Kubernetes objects by identity (`Kind/namespace/name`), with the line of their `kind:`. */
  objects: Map<string, { kind: string; line: number }>;
}

export type ParsedDeploy = { ok: true; model: DeployModel } | { ok: false; reason: string } | undefined;

const DOCKERFILE_NAME = /(^|\/)(Dockerfile|Containerfile)(\.[\w.-]+)?$|\.(Dockerfile|dockerfile)$/;
const COMPOSE_NAME = /(^|\/)(docker-)?compose([.-][\w.-]+)?\.ya?ml$/;
const HELM_VALUES_NAME = /(^|\/)values([.-][\w.-]+)?\.ya?ml$/;
const YAML_NAME = /\.ya?ml$/;

/** Whether a path may hold a deployment file; cheap, by name only. */
export function mayBeDeployFile(path: string): boolean {
  return DOCKERFILE_NAME.test(path) || YAML_NAME.test(path);
}

/**
 * Whether a path is a container image or compose file that ships something (not one of test scaffolding, a sample
 * or a dev setup): a folder holding one runs as a service, not only as a library.
 */
export function isShippedContainerFile(path: string): boolean {
  return (DOCKERFILE_NAME.test(path) || COMPOSE_NAME.test(path)) && deployWeight(path) === 'production';
}

/**
 * Parses one version of a deployment file. Undefined when the file is not a deployment file at all (a YAML file
 * that is neither compose, Kubernetes nor Helm values), a reason when it is one but cannot be parsed.
 */
export const parseDeployFile = memoize((path: string, text: string): ParsedDeploy => {
  if (DOCKERFILE_NAME.test(path)) return parseDockerfile(text);
  if (!YAML_NAME.test(path) || path.startsWith('.github/')) return undefined;
  // Helm chart templates are Go templates, not YAML; what they render cannot be known without the chart.
  if (/(^|\/)templates\//.test(path) && text.includes('{{')) return undefined;
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: false });
  if (!Array.isArray(docs)) return undefined; // an empty stream
  const failed = docs.find((d) => d.errors.length > 0);
  if (failed) {
    if (!COMPOSE_NAME.test(path) && !HELM_VALUES_NAME.test(path) && !/^\s*(apiVersion|kind):/m.test(text)) return undefined;
    return { ok: false, reason: `cannot be parsed as YAML: ${failed.errors[0]!.message.split('\n')[0]}` };
  }
  const lineOf = (node: YamlNode | null | undefined): number => (node?.range ? lineCounter.linePos(node.range[0]).line : 1);
  const settings = new Map<string, DeploySetting>();
  const objects = new Map<string, { kind: string; line: number }>();
  let kind: DeployKind | undefined;
  for (const doc of docs) {
    const root = doc.contents;
    if (!isMap(root)) continue;
    const top = (key: string): unknown => (root.get(key, true) as YamlNode | undefined)?.toJSON?.() ?? root.get(key);
    const objectKind = top('kind');
    const apiVersion = top('apiVersion');
    if (typeof objectKind === 'string' && typeof apiVersion === 'string') {
      kind = 'kubernetes';
      const metadata = root.get('metadata', true);
      const name = isMap(metadata) ? String(metadata.get('name') ?? '') : '';
      const namespace = isMap(metadata) ? String(metadata.get('namespace') ?? '') : '';
      const identity = `${objectKind}/${namespace}/${name}`;
      const kindPair = root.items.find((p) => isScalar(p.key) && p.key.value === 'kind');
      objects.set(identity, { kind: objectKind, line: lineOf(kindPair?.key as YamlNode) });
      flatten(root, identity, settings, lineOf);
    } else if (COMPOSE_NAME.test(path) || (isMap(root.get('services', true)) && !HELM_VALUES_NAME.test(path))) {
      if (!isMap(root.get('services', true))) continue;
      kind = 'compose';
      flatten(root, '', settings, lineOf);
    } else if (HELM_VALUES_NAME.test(path)) {
      kind = 'helm-values';
      flatten(root, '', settings, lineOf);
    }
  }
  return kind ? { ok: true, model: { kind, settings, objects } } : undefined;
}, byPathAndText);

/** Records every node under `prefix`; list items are named by their `name` (containers, env) when they have one. */
function flatten(
  node: unknown,
  prefix: string,
  out: Map<string, DeploySetting>,
  lineOf: (node: YamlNode | null | undefined) => number,
): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const path = prefix ? `${prefix}/${escapeSegment(key)}` : escapeSegment(key);
      const value = pair.value as YamlNode | null;
      out.set(path, { path, value: describe(value), line: lineOf(pair.key as YamlNode) });
      flatten(value, path, out, lineOf);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => {
      const name = isMap(item) ? item.get('name') : undefined;
      const scalar = isScalar(item) ? item.value : undefined;
      // Scalars in a list (depends_on: [db], cap_add: [NET_ADMIN]) are members: named by their value.
      const segment = typeof name === 'string' ? `[${name}]` : scalar !== undefined && scalar !== null ? `=${String(scalar)}` : `#${index}`;
      const path = `${prefix}/${escapeSegment(segment)}`;
      out.set(path, { path, value: describe(item as YamlNode), line: lineOf(item as YamlNode) });
      flatten(item, path, out, lineOf);
    });
  }
}

function describe(node: YamlNode | null): unknown {
  if (isScalar(node)) return node.value;
  if (isMap(node)) return 'map';
  if (isSeq(node)) return 'list';
  return null;
}

const escapeSegment = (segment: string): string => segment.replace(/\//g, '\u2215');

/** Dockerfile settings of the final stage (the image that runs): `HEALTHCHECK` and the last `USER`. */
function parseDockerfile(text: string): ParsedDeploy {
  const parser = dockerfileParser();
  let dockerfile;
  try {
    dockerfile = parser.parse(text);
  } catch (error) {
    return { ok: false, reason: `cannot be parsed as a Dockerfile: ${error instanceof Error ? error.message : String(error)}` };
  }
  const settings = new Map<string, DeploySetting>();
  const froms = dockerfile.getFROMs();
  if (froms.length === 0) return { ok: true, model: { kind: 'dockerfile', settings, objects: new Map() } };
  const lastFrom = froms[froms.length - 1]!;
  const finalStageStart = lastFrom.getRange().start.line;
  settings.set('stage', { path: 'stage', value: lastFrom.getImageName() ?? '', line: finalStageStart + 1 });
  for (const instruction of dockerfile.getInstructions()) {
    const line = instruction.getRange().start.line + 1;
    const keyword = instruction.getKeyword().toUpperCase();
    const args = instruction.getArgumentsContent() ?? '';
    if (keyword === 'ENV' || keyword === 'ARG') {
      // Declared environment keys count in every stage: ARG and ENV flow into the build and the runtime.
      for (const name of envNames(keyword, args))
        settings.set(`${keyword.toLowerCase()}/${name}`, { path: `${keyword.toLowerCase()}/${name}`, value: keyword, line });
    }
    if (instruction.getRange().start.line < finalStageStart) continue;
    if (keyword === 'HEALTHCHECK')
      settings.set('healthcheck', { path: 'healthcheck', value: /^\s*NONE\b/i.test(args) ? 'NONE' : args.trim(), line });
    if (keyword === 'USER') settings.set('user', { path: 'user', value: args.trim(), line });
  }
  return { ok: true, model: { kind: 'dockerfile', settings, objects: new Map() } };
}

/** The keys an ENV or ARG instruction declares (`ENV A=1 B=2`, `ENV A 1`, `ARG A`, `ARG A=1`). */
function envNames(keyword: string, args: string): string[] {
  const first = args.trim().split(/\s+/)[0] ?? '';
  if (keyword === 'ENV' && !first.includes('=')) return first ? [first] : [];
  return [...args.matchAll(/(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)(?==|\s|$)/g)]
    .map((m) => m[1]!)
    .filter((name, i, all) => all.indexOf(name) === i);
}

/** How much a deployment file's settings matter: test scaffolding, samples and docs are not deployed, dev setups rarely. */
export type DeployWeight = 'production' | 'dev' | 'example';

/**
 * Folders of test scaffolding and samples: apps that e2e suites build and run, fixtures, examples. A folder named
 * for one of them, or a compound of one (`e2e-tests/`, `test-applications/`, `integration-tests/`, `examples-next/`,
 * `node-e2e/`), holds what the project tests or shows, not what it ships.
 */
const SCAFFOLDING_DIR =
  /(^|\/)(examples?|samples?|demos?|fixtures?|__fixtures__|__tests__|testdata|tests?|e2e|playgrounds?|[\w.-]*e2e[\w.-]*|(tests?|integration|smoke)[-_](apps?|applications|projects|packages|suites?)|[\w.-]+[-_](tests|fixtures|examples|playgrounds?)|(fixtures|examples|playgrounds?)[-_][\w.-]+)\//;

/** Whether a path lies in test scaffolding or a sample (see SCAFFOLDING_DIR): nothing there is deployed or published. */
export const isScaffoldingPath = (path: string): boolean => SCAFFOLDING_DIR.test(path.toLowerCase());

/**
 * How much a file is deployed. A `templates/` folder holds scaffolding (project generators, docs), except a Helm
 * chart's: beside a Chart.yaml it is what the chart deploys, weighed as any manifest when `tree` (with the
 * Chart.yaml asked for through chartManifestRequests) shows the chart.
 */
export function deployWeight(path: string, tree?: Pick<TreeView, 'read' | 'exists'>): DeployWeight {
  const lower = path.toLowerCase();
  if (isScaffoldingPath(lower) || /(^|\/)docs?\//.test(lower)) return 'example';
  if (/(^|\/)templates?\//.test(lower) && !isChartTemplate(path, tree)) return 'example';
  if (/(^|\/)(dev|development|local|ci|kind|minikube|sandbox)\//.test(lower)) return 'dev';
  if (/(^|\/)(docker-)?compose[.-](dev|development|local|test|ci|e2e|override)[\w.-]*\.ya?ml$/.test(lower)) return 'dev';
  if (/(^|\/)dockerfile\.(dev|development|local|test|ci|e2e)$/.test(lower)) return 'dev';
  return 'production';
}

/** The folder of the Helm chart a file under its `templates/` would belong to (the folder holding `templates/`). */
function chartDirOf(path: string): string | undefined {
  const at = path.lastIndexOf('templates/');
  if (at < 0 || (at > 0 && path[at - 1] !== '/')) return undefined;
  return path.slice(0, Math.max(0, at - 1));
}

function isChartTemplate(path: string, tree: Pick<TreeView, 'read' | 'exists'> | undefined): boolean {
  const dir = chartDirOf(path);
  if (dir === undefined || !tree) return false;
  const manifest = dir ? `${dir}/Chart.yaml` : 'Chart.yaml';
  return tree.exists('head', manifest) || tree.exists('base', manifest);
}

/** What deployWeight needs to weigh a file under `templates/`: the Chart.yaml that would make it a Helm chart's. */
export function chartManifestRequests(file: { path: string; oldPath?: string }): ContextRequest[] {
  return [...new Set([file.path, file.oldPath ?? file.path])].flatMap((path) => {
    const dir = chartDirOf(path);
    return dir === undefined ? [] : [{ pattern: dir ? `${dir}/Chart.yaml` : 'Chart.yaml' }];
  });
}

/** Settings directly under `path` (one segment deeper). */
export function childrenOf(model: DeployModel, path: string): DeploySetting[] {
  const prefix = `${path}/`;
  return [...model.settings.values()].filter((s) => s.path.startsWith(prefix) && !s.path.slice(prefix.length).includes('/'));
}

/** The last segment of a path, unescaped. */
export function lastSegment(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1).replace(/\u2215/g, '/');
}

export function parentPath(path: string, levels = 1): string {
  let out = path;
  for (let i = 0; i < levels; i++) out = out.includes('/') ? out.slice(0, out.lastIndexOf('/')) : '';
  return out;
}

/** The severity a finding takes in a file that is deployed (production), a dev setup, or an example. */
export function weighSeverity(severity: Severity, weight: DeployWeight): Severity {
  // Examples, fixtures and dev setups are not what production runs: context only.
  return weight === 'production' ? severity : 'info';
}

/** `Deployment/prod/api/spec/template/spec/containers/[web]` → `container web of Deployment api`. */
export function describeOwner(owner: string): string {
  if (!owner) return 'the chart';
  const segments = owner.split('/');
  const container = [...segments]
    .reverse()
    .find((s) => s.startsWith('['))
    ?.slice(1, -1);
  const object = /^[A-Z]/.test(segments[0] ?? '') && segments.length >= 3 ? `${segments[0]} ${segments[2]}` : undefined;
  if (container && object) return `container ${container} of ${object}`;
  if (object) return object;
  if (segments[0] === 'services' && segments[1]) return `service ${segments[1]}`;
  return segments.map((s) => s.replace(/^\[|\]$/g, '')).join('.');
}

/** What a deployment comparison reports, before it becomes an AnalyzerFinding. */
export interface DeployFinding {
  severity: Severity;
  line: number;
  side: Side;
  /** Identity inside the file (setting path): fingerprinted, never a line. */
  key: string;
  /** The whole sentence; the analyzers' message templates are `{{detail}}`. */
  message: string;
  symbol?: string;
  evidence: { kind: 'removed' | 'weakened' } & Record<string, unknown>;
}

/** The globs of the files parseDeployFile reads. */
export const DEPLOY_GLOBS = [
  '**/Dockerfile',
  '**/Dockerfile.*',
  '**/*.Dockerfile',
  '**/*.dockerfile',
  '**/Containerfile',
  '**/*.{yml,yaml}',
];

/**
 * The two models of a changed deployment file, for a comparison; undefined when the file is not one (a YAML
 * file of another kind) or one side is missing. A side that is a deployment file but cannot be parsed throws
 * UnreadableFileError, so the file is reported as skipped.
 */
export function deployModels(change: FileChange): { base: DeployModel; head: DeployModel } | undefined {
  if (change.base === undefined) return undefined;
  const base = parseDeployFile(change.oldPath ?? change.path, change.base);
  if (base && !base.ok) throw new UnreadableFileError('base', base.reason);
  if (!base) return undefined;
  if (change.head === undefined) return { base: base.model, head: { kind: base.model.kind, settings: new Map(), objects: new Map() } };
  const head = parseDeployFile(change.path, change.head);
  if (head && !head.ok) throw new UnreadableFileError('head', head.reason);
  if (!head) return undefined;
  return { base: base.model, head: head.model };
}

/** A comparison's findings in the framework's shape, weighed by how much the file is deployed. */
export function asAnalyzerFindings(path: string, findings: DeployFinding[], tree?: Pick<TreeView, 'read' | 'exists'>): AnalyzerFinding[] {
  const weight = deployWeight(path, tree);
  return findings.map((f) => ({
    messageId: f.evidence.kind,
    data: { detail: f.message },
    side: f.side,
    line: f.line,
    key: f.key,
    ...(f.symbol ? { symbol: f.symbol } : {}),
    severity: weighSeverity(f.severity, weight),
    evidence: { ...f.evidence, ...(weight !== 'production' ? { weighed: `${weight} file` } : {}) },
  }));
}
