import { defineAnalyzer, type AnalyzerFinding, type FileChange } from '../define-analyzer.js';
import { isLockfilePath, parseLockfile } from '../formats/lockfile.js';
import { isNpmrcPath, parseNpmrc } from '../formats/npmrc.js';
import { dirOf, joinPath } from '../formats/package-json.js';
import { pairOf, parseYaml, scalarText } from '../formats/yaml.js';

/** .npmrc settings that guard installs, the value that guards, and how much losing it weighs. */
const GUARDS: Record<string, { on: string; severity: 'medium' | 'low'; what: string }> = {
  'ignore-scripts': { on: 'true', severity: 'medium', what: 'install scripts of dependencies run again on every install' },
  'engine-strict': { on: 'true', severity: 'low', what: 'packages that declare an incompatible Node version install anyway' },
  'strict-peer-dependencies': { on: 'true', severity: 'low', what: 'unmet peer dependencies no longer fail the install' },
  audit: { on: 'true', severity: 'low', what: 'installs no longer report known vulnerabilities' },
};

export default defineAnalyzer({
  meta: {
    id: 'loosened-install-guard',
    category: 'dependency',
    severity: 'medium',
    description:
      'An install guard was loosened (ignore-scripts, engine-strict, yarn enableScripts), or a newly locked package runs an install script.',
    messages: {
      guardOff: '.npmrc no longer sets `{{setting}}={{on}}`: {{what}}.',
      scriptsOn: '.yarnrc.yml no longer sets `enableScripts: false`: install scripts of dependencies run again.',
      installScript: '`{{name}}@{{version}}` is new in the lockfile and runs an install script{{guard}}.',
    },
    reads: ['**/.npmrc', '**/.yarnrc.yml', '**/package-lock.json', '**/npm-shrinkwrap.json', '**/pnpm-lock.yaml'],
    docs: {
      catches:
        '`ignore-scripts=true` removed from (or set to false in) .npmrc (`medium`); `engine-strict`, ' +
        '`strict-peer-dependencies` or `audit` switched off (`low`); `enableScripts: false` removed from .yarnrc.yml ' +
        "(`medium`). A package that the lockfile's base version did not have and that runs an install script " +
        '(`hasInstallScript` in package-lock, `requiresBuild` in pnpm-lock): `low`, `info` when the head .npmrc ' +
        'sets `ignore-scripts=true`.',
      ignores: 'Packages that already ran install scripts at another version, guards that were never set, and settings that get stricter.',
      example: {
        file: '.npmrc',
        before: `save-exact=true
ignore-scripts=true
`,
        after: `save-exact=true
`,
      },
    },
  },
  context: (file) => (isLockfilePath(file.path) ? [{ pattern: joinPath(dirOf(file.path), '.npmrc') }, { pattern: '.npmrc' }] : []),
  analyze(change) {
    if (isNpmrcPath(change.path)) return npmrcGuards(change);
    if (change.path.endsWith('.yarnrc.yml')) return yarnScripts(change);
    if (isLockfilePath(change.path)) return newInstallScripts(change);
    return [];
  },
});

function npmrcGuards(change: FileChange): AnalyzerFinding[] {
  if (change.base === undefined) return [];
  const before = parseNpmrc(change.base);
  const after = parseNpmrc(change.head ?? '');
  const findings: AnalyzerFinding[] = [];
  for (const [setting, guard] of Object.entries(GUARDS)) {
    const was = before.get(setting);
    if (was?.value !== guard.on) continue;
    const now = after.get(setting);
    if (now?.value === guard.on) continue;
    const data = { setting, on: guard.on, what: guard.what };
    findings.push(
      now
        ? { messageId: 'guardOff', side: 'head', line: now.line, key: setting, severity: guard.severity, data }
        : { messageId: 'guardOff', side: 'base', line: was.line, headLine: 1, key: setting, severity: guard.severity, data },
    );
  }
  return findings;
}

function yarnScripts(change: FileChange): AnalyzerFinding[] {
  if (change.base === undefined) return [];
  const read = (text: string | undefined, side: 'base' | 'head'): { value?: string; line: number } => {
    if (text === undefined) return { line: 1 };
    const yaml = parseYaml(text, side);
    const pair = pairOf(yaml.doc.contents, 'enableScripts');
    const value = scalarText(pair?.value);
    return { ...(value !== undefined ? { value } : {}), line: yaml.lineOf(pair) };
  };
  const was = read(change.base, 'base');
  const now = read(change.head, 'head');
  if (was.value !== 'false' || now.value === 'false') return [];
  return [
    now.value !== undefined
      ? { messageId: 'scriptsOn', side: 'head', line: now.line, key: 'enableScripts' }
      : { messageId: 'scriptsOn', side: 'base', line: was.line, headLine: 1, key: 'enableScripts' },
  ];
}

function newInstallScripts(change: FileChange): AnalyzerFinding[] {
  if (change.head === undefined || change.base === undefined) return [];
  const head = parseLockfile(change.path, change.head, 'head');
  const base = parseLockfile(change.path, change.base, 'base');
  const scripted = new Set(base.entries.filter((e) => e.hasInstallScript).map((e) => e.name));
  const known = new Set(base.entries.map((e) => e.name));
  const npmrc = change.tree.read('head', joinPath(dirOf(change.path), '.npmrc')) ?? change.tree.read('head', '.npmrc');
  const ignored = npmrc !== undefined && parseNpmrc(npmrc).get('ignore-scripts')?.value === 'true';
  const findings: AnalyzerFinding[] = [];
  const seen = new Set<string>();
  for (const entry of head.entries) {
    if (!entry.hasInstallScript || scripted.has(entry.name) || known.has(entry.name) || seen.has(entry.name)) continue;
    seen.add(entry.name);
    findings.push({
      messageId: 'installScript',
      side: 'head',
      line: head.lineOf(entry),
      key: `install-script:${entry.name}`,
      symbol: entry.name,
      severity: ignored ? 'info' : 'low',
      data: { name: entry.name, version: entry.version, guard: ignored ? ' (ignore-scripts is set, so it will not run)' : '' },
    });
  }
  return findings;
}
