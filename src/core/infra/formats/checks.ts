import type { Severity } from '../../model.js';
import { byText, memoize } from '../../memo.js';
import { packageManagerCall, splitCommands, type ShellCommand } from './shell.js';

/**
 * What a CI command checks, the one vocabulary the CI analyzers share: a test run, a lint, a type check,
 * a build, an audit. Identified by what runs (`script:test` whichever package manager calls it,
 * `tool:tsc`), so a step renamed or moved to another job is still the same check.
 */
export type CheckKind = 'test' | 'lint' | 'typecheck' | 'build' | 'audit' | 'format';

/** How much losing (or muting) each kind of check weighs: tests most, formatting least. */
export const CHECK_WEIGHT: Record<CheckKind, Severity> = {
  test: 'high',
  typecheck: 'medium',
  lint: 'medium',
  build: 'medium',
  audit: 'medium',
  format: 'low',
};

export interface Check {
  kind: CheckKind;
  /** `script:<name>` for a package.json script, `tool:<name>` for a tool run directly. */
  identity: string;
  command: ShellCommand;
}

const TOOLS: Record<string, CheckKind> = {
  jest: 'test',
  vitest: 'test',
  mocha: 'test',
  ava: 'test',
  tap: 'test',
  jasmine: 'test',
  karma: 'test',
  playwright: 'test',
  cypress: 'test',
  c8: 'test',
  nyc: 'test',
  eslint: 'lint',
  oxlint: 'lint',
  biome: 'lint',
  xo: 'lint',
  standard: 'lint',
  stylelint: 'lint',
  tsc: 'typecheck',
  'vue-tsc': 'typecheck',
  tsd: 'typecheck',
  prettier: 'format',
  dprint: 'format',
};

/** The kind a script or task name suggests (`test:unit`, `lint-fix` ...); undefined for anything else. */
export function kindOfName(name: string): CheckKind | undefined {
  const n = name.toLowerCase();
  if (/(^|[:_-])(test|tests|spec|e2e|coverage|cov|unit|integration)($|[:_-])|^t$|^tst$/.test(n)) return 'test';
  if (/type-?check|typecheck|(^|[:_-])(tsc|types)($|[:_-])/.test(n)) return 'typecheck';
  if (/(^|[:_-])(lint|eslint|check)($|[:_-])/.test(n)) return 'lint';
  if (/(^|[:_-])(build|compile)($|[:_-])/.test(n)) return 'build';
  if (/(^|[:_-])audit($|[:_-])/.test(n)) return 'audit';
  if (/(^|[:_-])(format|fmt|prettier)($|[:_-])/.test(n)) return 'format';
  return undefined;
}

/** The check one command runs, if it runs one. */
export function checkOf(command: ShellCommand): Check | undefined {
  const call = callOf(command);
  return call?.kind ? (call as Check) : undefined;
}

/**
 * What one command runs: a package.json script (`script:<name>`, whatever its name, so that `npm run ci`
 * can be followed into the checks it runs) or a checking tool; `kind` when it is a check itself.
 */
export function callOf(command: ShellCommand): (Omit<Check, 'kind'> & { kind?: CheckKind }) | undefined {
  const call = packageManagerCall(command);
  if (call) {
    if (call.manager === 'npx' || call.verb === 'exec' || call.verb === 'dlx' || call.verb === 'x') {
      const tool = (call.manager === 'npx' ? call.args[0] : call.args[0])?.replace(/@[^/]*$/, '');
      return tool ? toolCheck(tool, call.args.slice(1), command) : undefined;
    }
    if (call.verb === 'audit') return { kind: 'audit', identity: 'tool:audit', command };
    if (call.manager === 'bun' && call.verb === 'test') return { kind: 'test', identity: 'tool:bun-test', command };
    const script =
      call.verb === 'run' || call.verb === 'run-script' ? call.args[0] : call.verb === 't' || call.verb === 'tst' ? 'test' : call.verb;
    if (
      !script ||
      (call.manager !== 'npm' && isBuiltIn(call.manager, script)) ||
      (call.manager === 'npm' && call.verb !== 'run' && call.verb !== 'run-script' && !['test', 't', 'tst'].includes(call.verb))
    )
      return undefined;
    const kind = kindOfName(script);
    return { ...(kind ? { kind } : {}), identity: `script:${script}`, command };
  }
  const [tool, ...args] = command.words;
  if (!tool) return undefined;
  if (tool === 'turbo' || tool === 'nx' || tool === 'lerna') {
    const task =
      args.find((a, i) => i > 0 && !a.startsWith('-') && (args[i - 1] === 'run' || args[i - 1] === '-t' || args[i - 1] === '--target')) ??
      args.find((a) => !a.startsWith('-') && a !== 'run' && a !== 'run-many' && a !== 'affected');
    const kind = task ? kindOfName(task) : undefined;
    return task ? { ...(kind ? { kind } : {}), identity: `script:${task}`, command } : undefined;
  }
  return toolCheck(tool.split('/').pop()!, args, command);
}

function toolCheck(tool: string, args: string[], command: ShellCommand): Check | undefined {
  const kind = TOOLS[tool];
  if (!kind) return undefined;
  // Formatters and linters that write fixes do not check anything.
  if (kind === 'format' && !args.some((a) => a === '--check' || a === '-c' || a === '--list-different' || a === 'check')) return undefined;
  if (tool === 'tsc' && args.some((a) => a === '--init' || a === '-v' || a === '--version')) return undefined;
  return { kind, identity: `tool:${tool}`, command };
}

const BUILT_INS: Record<string, Set<string>> = {
  yarn: new Set([
    'install',
    'add',
    'remove',
    'upgrade',
    'up',
    'cache',
    'config',
    'dlx',
    'set',
    'plugin',
    'workspaces',
    'why',
    'info',
    'pack',
    'publish',
    'npm',
    'constraints',
    'dedupe',
  ]),
  pnpm: new Set([
    'install',
    'i',
    'add',
    'remove',
    'update',
    'up',
    'store',
    'config',
    'dlx',
    'publish',
    'pack',
    'deploy',
    'fetch',
    'setup',
    'env',
    'dedupe',
  ]),
  bun: new Set(['install', 'i', 'add', 'remove', 'update', 'x', 'pm', 'link', 'build']),
};

function isBuiltIn(manager: string, verb: string): boolean {
  return BUILT_INS[manager]?.has(verb) ?? false;
}

/** Every check a script runs. */
export function checksOf(script: string): Check[] {
  return splitCommands(script).flatMap((command) => checkOf(command) ?? []);
}

/** Every script or checking tool a script runs, checks or not. Shared by every caller with the same script: do not change it. */
export const callsOf = memoize(
  (script: string): (Omit<Check, 'kind'> & { kind?: CheckKind })[] => splitCommands(script).flatMap((command) => callOf(command) ?? []),
  byText,
);

/** Whether an identity names a check (a script with a check's name, a known checking tool). */
export function isCheckIdentity(identity: string): boolean {
  return kindOfIdentity(identity) !== undefined;
}

/** The kind of check an identity names (`script:lint:types` → typecheck, `tool:jest` → test), if any. */
export function kindOfIdentity(identity: string): CheckKind | undefined {
  if (identity.startsWith('script:')) return kindOfName(identity.slice('script:'.length));
  return identity.startsWith('tool:') ? TOOLS[identity.slice('tool:'.length)] : undefined;
}
