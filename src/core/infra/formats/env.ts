import { ts } from '../../ts-morph-library.js';
import { syntaxTree } from '../../parse/parse.js';
import type { Node as YamlNode } from 'yaml';
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments } from '../../yaml-library.js';
import { parseYaml, type YamlFile } from './yaml.js';
import type { ChangedFile, Side } from '../../model.js';
import type { TreeView } from '../define-analyzer.js';
import { isScaffoldingPath, mayBeDeployFile, parseDeployFile } from './deploy.js';
import { byPathAndText, memoize } from '../../memo.js';

/**
 * Environment configuration on both sides of the deployment boundary: the keys code reads (`process.env.X`,
 * `process.env['X']`, `import.meta.env.X`, `Bun.env.X`, destructuring of `process.env`), how it reads them (with
 * a fallback or not), and the keys the repository's declaration surfaces carry: `.env.example` and its kin,
 * compose `environment`, Kubernetes `env` and ConfigMaps, Dockerfile ENV/ARG, workflow `env`, turbo.json.
 */
export interface EnvRead {
  key: string;
  line: number;
  /** How the code copes when the key is unset: not at all, with a fallback value, or by testing for it. */
  fallback: 'none' | 'value' | 'tested';
  /** A string or number literal given as the fallback (`?? 'dev-secret'`). */
  literal?: string;
}

/** Keys the platform or the toolchain sets, never declared by the application. */
const PLATFORM_KEYS = new Set([
  'NODE_ENV',
  'CI',
  'HOME',
  'PATH',
  'PWD',
  'USER',
  'SHELL',
  'TERM',
  'TZ',
  'LANG',
  'PORT',
  'HOST',
  'HOSTNAME',
  'TMPDIR',
  'TEMP',
  'TMP',
  'NODE_OPTIONS',
  'NODE_DEBUG',
  'FORCE_COLOR',
  'NO_COLOR',
  'DEBUG',
  'INIT_CWD',
  'APPDATA',
  'LOCALAPPDATA',
  'USERPROFILE',
  'MODE',
  'DEV',
  'PROD',
  'SSR',
  'BASE_URL',
  'TEST',
  'NEXT_RUNTIME',
  'NEXT_PHASE',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'K_SERVICE',
  'VERCEL',
  'NETLIFY',
]);
const PLATFORM_PREFIXES =
  /^(npm_|GITHUB_|RUNNER_|VERCEL_|NETLIFY_|AWS_LAMBDA_|KUBERNETES_|JEST_|VITEST|XDG_|CF_PAGES|RAILWAY_|RENDER_|FLY_)/;

export const isPlatformKey = (key: string): boolean => PLATFORM_KEYS.has(key) || PLATFORM_PREFIXES.test(key);

const ENV_OBJECT = /^(process\.env|import\.meta\.env|Bun\.env)$/;

/** Every environment read in a source file, with its fallback. */
export const envReads = memoize((path: string, text: string): EnvRead[] => {
  if (!/process\.env|import\.meta\.env|Bun\.env/.test(text)) return [];
  const sourceFile = syntaxTree(path, text);
  const reads: EnvRead[] = [];
  const line = (node: ts.Node): number => sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line + 1;
  const visit = (node: ts.Node): void => {
    let key: string | undefined;
    if (ts.isPropertyAccessExpression(node) && ENV_OBJECT.test(node.expression.getText(sourceFile))) key = node.name.text;
    if (
      ts.isElementAccessExpression(node) &&
      ENV_OBJECT.test(node.expression.getText(sourceFile)) &&
      ts.isStringLiteralLike(node.argumentExpression)
    )
      key = node.argumentExpression.text;
    if (key) reads.push({ key, line: line(node), ...fallbackOf(node) });
    // const { A, B = 'x' } = process.env
    if (
      ts.isVariableDeclaration(node) &&
      node.initializer &&
      ENV_OBJECT.test(node.initializer.getText(sourceFile)) &&
      ts.isObjectBindingPattern(node.name)
    ) {
      for (const element of node.name.elements) {
        const name = element.propertyName ?? element.name;
        if (!ts.isIdentifier(name) && !ts.isStringLiteral(name)) continue;
        const literal = element.initializer && literalText(element.initializer);
        reads.push({
          key: name.text,
          line: line(element),
          fallback: element.initializer ? 'value' : 'none',
          ...(literal !== undefined ? { literal } : {}),
        });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return reads.filter((r) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(r.key));
}, byPathAndText);

function literalText(node: ts.Expression): string | undefined {
  if (ts.isStringLiteralLike(node) || ts.isNumericLiteral(node)) return node.text;
  if (node.kind === ts.SyntaxKind.TrueKeyword) return 'true';
  if (node.kind === ts.SyntaxKind.FalseKeyword) return 'false';
  return undefined;
}

/** How the expression around a read copes with an unset key. */
function fallbackOf(read: ts.Node): Pick<EnvRead, 'fallback' | 'literal'> {
  let node: ts.Node = read;
  // process.env.X!, (process.env.X), process.env.X as string
  while (ts.isNonNullExpression(node.parent) || ts.isParenthesizedExpression(node.parent) || ts.isAsExpression(node.parent))
    node = node.parent;
  const parent = node.parent;
  if (ts.isBinaryExpression(parent) && parent.left === node) {
    const op = parent.operatorToken.kind;
    if (op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.BarBarToken) {
      const literal = literalText(parent.right);
      return { fallback: 'value', ...(literal !== undefined ? { literal } : {}) };
    }
    if (
      op === ts.SyntaxKind.AmpersandAmpersandToken ||
      op === ts.SyntaxKind.EqualsEqualsEqualsToken ||
      op === ts.SyntaxKind.ExclamationEqualsEqualsToken ||
      op === ts.SyntaxKind.EqualsEqualsToken ||
      op === ts.SyntaxKind.ExclamationEqualsToken
    )
      return { fallback: 'tested' };
  }
  // `options.apiKey ?? process.env.X`: the key is the fallback of an explicit setting, not the only source.
  if (
    ts.isBinaryExpression(parent) &&
    parent.right === node &&
    [ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.BarBarToken].includes(parent.operatorToken.kind)
  )
    return { fallback: 'tested' };
  if (
    ts.isBinaryExpression(parent) &&
    parent.right === node &&
    [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken].includes(parent.operatorToken.kind)
  )
    return { fallback: 'tested' };
  if (ts.isPrefixUnaryExpression(parent) && parent.operator === ts.SyntaxKind.ExclamationToken) return { fallback: 'tested' };
  if (
    (ts.isIfStatement(parent) || ts.isConditionalExpression(parent) || ts.isWhileStatement(parent)) &&
    (parent as { expression?: ts.Node; condition?: ts.Node }).expression === node
  )
    return { fallback: 'tested' };
  if (ts.isConditionalExpression(parent) && parent.condition === node) return { fallback: 'tested' };
  // `typeof process !== 'undefined' ? process.env.X : undefined`: the code spells out that the value may be
  // missing, and every reader of it is written for that.
  if (
    ts.isConditionalExpression(parent) &&
    parent.condition !== node &&
    isMissingValue(parent.whenTrue === node ? parent.whenFalse : parent.whenTrue)
  )
    return { fallback: 'tested' };
  if (ts.isTypeOfExpression(parent)) return { fallback: 'tested' };
  // Passed to a parser or schema (`z.string().parse(process.env.X)`, `Number(process.env.X)`) — it decides.
  if (
    ts.isCallExpression(parent) &&
    parent.arguments.includes(node as ts.Expression) &&
    /\b(parse|safeParse|cleanEnv|createEnv|validate)\b/.test(parent.expression.getText())
  )
    return { fallback: 'tested' };
  return { fallback: 'none' };
}

/** Dotenv templates: the file a developer copies to `.env`, and what a deployment fills in. */
const DOTENV_TEMPLATE =
  /(^|\/)(\.env\.(example|sample|template|dist|defaults|schema|local\.example|development\.example|production\.example)|[\w.-]+\.env\.example|example\.env|env\.example|\.env\.\w+\.example)$/;
const WORKFLOW = /^\.github\/workflows\/[^/]+\.ya?ml$/;

export const isDotenvTemplate = (path: string): boolean => DOTENV_TEMPLATE.test(path);

/** Globs of every declaration surface, to ask the tree for. */
export const SURFACE_GLOBS = [
  '**/.env.*',
  '**/*.env.example',
  '**/example.env',
  '**/env.example',
  '**/{docker-,}compose*.{yml,yaml}',
  '**/Dockerfile*',
  '**/*.{yml,yaml}',
  '.github/workflows/*.{yml,yaml}',
  '**/turbo.json',
];

/** Keys a declaration surface carries, or undefined when the file is not one (or cannot be read). */
export function declaredKeys(path: string, text: string): Set<string> | undefined {
  const declared = declarations(path, text);
  return declared && new Set(declared.keys());
}

/**
 * Which family a declaration surface belongs to: a dotenv template (what a developer or an operator copies),
 * a deployment file (compose, Kubernetes, Helm values, Dockerfile: what the running service is given), or CI
 * (workflow env, turbo.json: what builds and test runs are given). Undefined for a file that is none.
 */
export type SurfaceKind = 'template' | 'deployment' | 'ci';

export function surfaceKind(path: string): SurfaceKind | undefined {
  if (isDotenvTemplate(path) || /(^|\/)\.env(\.[\w-]+)?$/.test(path)) return 'template';
  if (/(^|\/)turbo\.json$/.test(path) || WORKFLOW.test(path)) return 'ci';
  return mayBeDeployFile(path) ? 'deployment' : undefined;
}

/**
 * The keys a declaration surface carries, each with the 1-based line that declares it, or undefined when the
 * file is not a declaration surface (or cannot be read).
 */
export const declarations = memoize((path: string, text: string): Map<string, number> | undefined => {
  if (isDotenvTemplate(path) || /(^|\/)\.env(\.[\w-]+)?$/.test(path)) return dotenvKeys(text);
  if (/(^|\/)turbo\.json$/.test(path)) return turboKeys(text);
  if (WORKFLOW.test(path)) return workflowKeys(text);
  const parsed = parseDeployFile(path, text);
  if (!parsed?.ok) return undefined;
  const keys = new Map<string, number>();
  const declare = (key: string, line: number): void => {
    if (!keys.has(key)) keys.set(key, line);
  };
  for (const setting of parsed.model.settings.values()) {
    const segments = setting.path.split('/');
    const last = segments[segments.length - 1]!;
    const parent = segments[segments.length - 2] ?? '';
    if (parsed.model.kind === 'dockerfile' && (parent === 'env' || parent === 'arg')) declare(last, setting.line);
    // compose environment (map or KEY=value list), Kubernetes/Helm env lists (named items) and env maps
    if (parent === 'environment' || parent === 'env' || parent === 'extraEnv' || parent === 'envVars') {
      const name = last.startsWith('[') ? last.slice(1, -1) : last.startsWith('=') ? last.slice(1).split('=')[0]! : last;
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) declare(name, setting.line);
    }
    // ConfigMap and Secret data
    if (segments.length === 5 && /^(ConfigMap|Secret)$/.test(segments[0]!) && (parent === 'data' || parent === 'stringData'))
      declare(last, setting.line);
  }
  return keys;
}, byPathAndText);

/**
 * Whether a deployment file loads keys from a source whose keys cannot be listed here (Kubernetes `envFrom`
 * a ConfigMap or Secret, compose `env_file`): a key it stopped naming may still arrive through it.
 */
export function loadsKeysInBulk(path: string, text: string): boolean {
  const parsed = parseDeployFile(path, text);
  if (!parsed?.ok) return false;
  for (const setting of parsed.model.settings.values()) if (/(^|\/)(envFrom|env_file)(\/|$)/.test(setting.path)) return true;
  return false;
}

/** `KEY=value`, `export KEY=value`, and commented-out `# KEY=` (documented, to be filled in). */
function dotenvKeys(text: string): Map<string, number> {
  const keys = new Map<string, number>();
  text.split('\n').forEach((raw, index) => {
    const match = /^\s*#?\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(raw);
    if (match && !keys.has(match[1]!)) keys.set(match[1]!, index + 1);
  });
  return keys;
}

function turboKeys(text: string): Map<string, number> | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const keys = new Map<string, number>();
  const lines = text.split('\n');
  // JSON has no positions: the first line that names the key as a string.
  const lineOf = (key: string): number => Math.max(1, lines.findIndex((l) => l.includes(`"${key}"`) || l.includes(`"$${key}"`)) + 1);
  const visit = (value: unknown, key?: string): void => {
    if (Array.isArray(value) && key && /^(env|globalEnv|passThroughEnv|globalPassThroughEnv)$/.test(key)) {
      for (const item of value)
        if (typeof item === 'string' && !keys.has(item.replace(/^\$/, ''))) keys.set(item.replace(/^\$/, ''), lineOf(item));
    } else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) visit(v, k);
  };
  visit(json);
  return keys;
}

function workflowKeys(text: string): Map<string, number> | undefined {
  // The workflow analyzers' parse of the same text (shared, parsed once): a second parse of every changed
  // workflow was a tenth of what the non-code analyzers cost. It keeps duplicate keys, which make a workflow
  // unreadable here; a text it cannot read (several documents) is read on its own, as before.
  let yaml: YamlFile;
  try {
    yaml = parseYaml(text, 'head');
  } catch {
    return workflowKeysOfDocuments(text);
  }
  if (hasDuplicateKeys(yaml.doc.contents)) return undefined;
  return keysOfEnvMaps([yaml.doc.contents], (node) => yaml.lineOf(node));
}

function workflowKeysOfDocuments(text: string): Map<string, number> | undefined {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter });
  if (!Array.isArray(docs) || docs.some((d) => d.errors.length)) return undefined;
  return keysOfEnvMaps(
    docs.map((doc) => doc.contents),
    (node) => (node.range ? lineCounter.linePos(node.range[0]).line : 1),
  );
}

/** The keys of every `env:` mapping, each at the line of its first mention. */
function keysOfEnvMaps(roots: unknown[], lineOf: (key: YamlNode) => number): Map<string, number> {
  const keys = new Map<string, number>();
  const visit = (node: unknown): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const name = isScalar(pair.key) ? String(pair.key.value) : '';
        if (name === 'env' && isMap(pair.value))
          for (const entry of pair.value.items) {
            if (!isScalar(entry.key) || keys.has(String(entry.key.value))) continue;
            keys.set(String(entry.key.value), lineOf(entry.key));
          }
        visit(pair.value);
      }
    } else if (isSeq(node)) node.items.forEach((item) => visit(item));
  };
  roots.forEach(visit);
  return keys;
}

/** What the YAML parser's default `uniqueKeys` rejects: a mapping with two equal scalar keys (or one node twice). */
function hasDuplicateKeys(node: unknown): boolean {
  if (isMap(node)) {
    const items = node.items;
    for (let i = 0; i < items.length; i++) {
      const a = items[i]!.key;
      for (let j = 0; j < i; j++) {
        const b = items[j]!.key;
        if (a === b || (isScalar(a) && isScalar(b) && a.value === b.value)) return true;
      }
    }
    return items.some((pair) => hasDuplicateKeys(pair.key) || hasDuplicateKeys(pair.value));
  }
  return isSeq(node) && node.items.some(hasDuplicateKeys);
}

/**
 * Source files that run only in development or CI (scripts, tools, config files, and test scaffolding and samples:
 * e2e and test apps, fixtures, examples): what they read is not a deployment's concern.
 */
export function isToolingPath(path: string): boolean {
  return (
    isScaffoldingPath(path) ||
    /(^|\/)(scripts?|tools?|bin|playwright|cypress|benchmarks?|docs?|\.github)\//.test(path) ||
    /(^|\/)[\w.-]*\.config\.[cm]?[jt]s$/.test(path)
  );
}

/** A key that holds a secret: a literal fallback for it is a secret in the source, or an unguarded default. */
export const isSecretKey = (key: string): boolean =>
  /(^|_)(SECRET|TOKEN|PASSWORD|PASSWD|PASS|PRIVATE_KEY|API_KEY|APIKEY|ACCESS_KEY|SIGNING_KEY|ENCRYPTION_KEY|CREDENTIALS?|SALT|KEY)$/.test(
    key,
  );

/** Why a literal default for a key is insecure, or undefined when it is not. */
export function insecureDefault(key: string, literal: string): string | undefined {
  const value = literal.trim().toLowerCase();
  if (value === '') return undefined;
  if (isSecretKey(key))
    return 'a secret given a literal default: every deployment that forgets it runs with a key anyone can read in the source';
  if (key === 'NODE_TLS_REJECT_UNAUTHORIZED' && value === '0')
    return 'TLS certificate checks switched off unless the environment says otherwise';
  if (/(^|_)(DEBUG|VERBOSE)$/.test(key) && ['true', '1', '*', 'yes', 'on'].includes(value))
    return 'debug output on unless the environment says otherwise';
  if (/(SSL|TLS|VERIFY|SECURE|STRICT|HTTPS)/.test(key) && ['false', '0', 'no', 'off', 'disable', 'disabled'].includes(value))
    return 'a security switch defaulting to off';
  if (/CORS/.test(key) && value === '*') return 'every origin allowed unless the environment says otherwise';
  return undefined;
}

export interface SchemaEntry {
  key: string;
  line: number;
  required: boolean;
  /** A literal default (`.default('x')`, envalid `{ default: 'x' }`). */
  literal?: string;
}

const ENVALID = /^(str|bool|num|port|url|host|email|json)$/;

/**
 * The keys of an environment schema: zod (`z.object({ X: z.string() })`, t3-env `createEnv({ server: {...} })`),
 * envalid (`cleanEnv(process.env, { X: str() })`) and Joi, in a file that reads the environment.
 */
export const envSchema = memoize((path: string, text: string): Map<string, SchemaEntry> => {
  const entries = new Map<string, SchemaEntry>();
  if (!/process\.env|import\.meta\.env|createEnv|cleanEnv/.test(text)) return entries;
  const sourceFile = syntaxTree(path, text);
  const visit = (node: ts.Node): void => {
    if (
      ts.isPropertyAssignment(node) &&
      (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name)) &&
      /^[A-Z][A-Z0-9_]+$/.test(node.name.text)
    ) {
      const entry = schemaEntry(node.name.text, node.initializer);
      if (entry) entries.set(entry.key, { ...entry, line: sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return entries;
}, byPathAndText);

function schemaEntry(key: string, initializer: ts.Expression): Omit<SchemaEntry, 'line'> | undefined {
  const calls: { name: string; args: readonly ts.Expression[] }[] = [];
  let current: ts.Expression = initializer;
  while (ts.isCallExpression(current)) {
    const callee: ts.Expression = current.expression;
    if (ts.isPropertyAccessExpression(callee)) {
      calls.push({ name: callee.name.text, args: current.arguments });
      current = callee.expression;
    } else if (ts.isIdentifier(callee)) {
      calls.push({ name: callee.text, args: current.arguments });
      current = callee;
      break;
    } else break;
  }
  const root = ts.isIdentifier(current) ? current.text : '';
  if (root === 'z' || root === 'Joi' || root === 'joi') {
    const defaulted = calls.find((c) => c.name === 'default' || c.name === 'catch');
    const optional =
      calls.some((c) => ['optional', 'nullish', 'nullable', 'default', 'catch', 'allow'].includes(c.name)) &&
      !calls.some((c) => c.name === 'required');
    const literal = defaulted?.args[0] && literalText(defaulted.args[0]);
    return { key, required: !optional, ...(literal !== undefined ? { literal } : {}) };
  }
  if (calls.length === 1 && ENVALID.test(root)) {
    const options = calls[0]!.args[0];
    const defaultProp =
      options && ts.isObjectLiteralExpression(options)
        ? options.properties.find((p) => ts.isPropertyAssignment(p) && p.name.getText() === 'default')
        : undefined;
    const literal = defaultProp && ts.isPropertyAssignment(defaultProp) ? literalText(defaultProp.initializer) : undefined;
    return { key, required: !defaultProp, ...(literal !== undefined ? { literal } : {}) };
  }
  return undefined;
}

/** A source file whose environment reads count: JavaScript or TypeScript, not a type declaration. */
export const isEnvReadingSource = (path: string): boolean => /\.[cm]?[jt]sx?$/.test(path) && !/\.d\.[cm]?ts$/.test(path);

/**
 * Every environment read of one side's code that the tree view holds: the pull request's changed files and the
 * unchanged files an analyzer asked for (a `containing` search over CODE_GLOBS). The one place analyzers ask
 * "which keys does this revision's code read", so the env rules agree on it.
 */
export function envReadsOfSide(
  tree: TreeView,
  side: Side,
  changed: readonly Pick<ChangedFile, 'path' | 'oldPath' | 'status'>[],
  options: { except?: string } = {},
): { path: string; read: EnvRead }[] {
  const paths = new Set(CODE_GLOBS.flatMap((glob) => tree.list(side, glob)));
  for (const file of changed) paths.add(side === 'base' ? (file.oldPath ?? file.path) : file.path);
  const reads: { path: string; read: EnvRead }[] = [];
  for (const path of [...paths].sort()) {
    if (path === options.except || !isEnvReadingSource(path)) continue;
    const text = tree.read(side, path);
    if (text !== undefined) for (const read of envReads(path, text)) reads.push({ path, read });
  }
  return reads;
}

/** Source files the code-reading analyzers claim; type declarations (`.d.ts`) run nothing and are left out. */
export const CODE_GLOBS = ['**/!(*.d).{ts,tsx,mts,cts}', '**/*.{js,jsx,mjs,cjs}'];

/** `undefined`, `null` or `void 0`: the value of a missing setting, written out. */
function isMissingValue(node: ts.Expression): boolean {
  let e = node;
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  return (ts.isIdentifier(e) && e.text === 'undefined') || e.kind === ts.SyntaxKind.NullKeyword || ts.isVoidExpression(e);
}
