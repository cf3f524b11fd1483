import type { Severity } from '../../model.js';
import { defineAnalyzer, type AnalyzerFinding, type FileChange, type TreeView } from '../define-analyzer.js';
import { dockerRuns, installsOf, isDockerfilePath, type Install } from '../formats/install.js';
import { isWorkflowPath, parseWorkflow, runLine, stepsOf, WORKFLOW_GLOBS } from '../formats/workflow.js';
import { pairOf, parseYaml, scalarText } from '../formats/yaml.js';

/** An install located in a file: the job or build stage it runs in, and its file line. */
interface Located extends Install {
  scope: string;
  fileLine: number;
}

export default defineAnalyzer({
  meta: {
    id: 'unfrozen-install',
    category: 'dependency',
    severity: 'medium',
    description:
      'A frozen install (npm ci, --frozen-lockfile, --immutable) in CI or a Dockerfile was replaced by a plain install that may rewrite the lockfile.',
    messages: {
      unfrozen:
        '`{{before}}` became `{{after}}` in {{scope}}: the install no longer fails when the lockfile is out of step, and may resolve new versions.',
      ciDefault:
        '`{{before}}` became `{{after}}` in {{scope}}; {{manager}} freezes the lockfile by default on CI, unless configured otherwise.',
      immutableOff: '.yarnrc.yml now sets `enableImmutableInstalls: false`: installs on CI may rewrite the lockfile.',
    },
    reads: [
      ...WORKFLOW_GLOBS,
      '**/Dockerfile',
      '**/Dockerfile.*',
      '**/*.dockerfile',
      '**/*.Dockerfile',
      '**/Containerfile',
      '**/.yarnrc.yml',
    ],
    docs: {
      catches:
        'In a workflow job or a Dockerfile build stage that ran a frozen install in the base version (`npm ci`, ' +
        '`yarn install --frozen-lockfile` / `--immutable`, `pnpm install --frozen-lockfile`, `bun install ' +
        '--frozen-lockfile`), a plain install of the same package manager and no frozen one: `medium`. In a workflow, ' +
        'pnpm and yarn berry freeze the lockfile on CI by default, so dropping their flag there is `info`; in a ' +
        'Dockerfile (no CI variable) it is `medium`. Also `enableImmutableInstalls: false` added to .yarnrc.yml.',
      ignores:
        'Installs that were never frozen, `npm install <package>` (adding a package), a frozen install moved to another step of the same job or stage, ' +
        'removed installs, and frozen installs with nothing to freeze: no lockfile of that package manager in either tree, or a root `.npmrc` ' +
        'that turns lockfiles off (`package-lock=false` for npm, `lockfile=false` for pnpm).',
      example: {
        file: 'Dockerfile',
        before: `FROM node:20-alpine AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build
`,
        after: `FROM node:22-alpine AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install
COPY . .
RUN npm run build
`,
        context: [{ path: 'package-lock.json', text: '{ "name": "app", "lockfileVersion": 3, "packages": {} }\n' }],
      },
    },
  },
  // Whether the repository has a lockfile to freeze is asked only when an install was unfrozen: a search
  // (which also lists the trees) for the .npmrc files that turn lockfiles off.
  context(file) {
    try {
      return unfrozenInstalls(file).length ? [{ pattern: '**/.npmrc', containing: [...LOCKFILE_SETTINGS] }] : [];
    } catch {
      return []; // a side that does not parse: analyze reports the file as skipped
    }
  },
  analyze(change) {
    if (change.path.endsWith('.yarnrc.yml')) return immutableOff(change.base, change.head);
    return unfrozenInstalls(change)
      .filter(({ install }) => !withoutLockfile(change.tree, install.manager))
      .map(({ install, was, ciDefault }) => ({
        messageId: ciDefault ? 'ciDefault' : 'unfrozen',
        side: 'head' as const,
        line: install.fileLine,
        key: `${install.scope}/${install.manager}`,
        symbol: install.scope,
        severity: (ciDefault ? 'info' : 'medium') as Severity,
        data: { before: was.text, after: install.text, scope: install.scope, manager: install.manager },
      }));
  },
});

/** The installs of the head version that a frozen install of the same job or stage became. */
function unfrozenInstalls(change: Pick<FileChange, 'path' | 'base' | 'head'>): { install: Located; was: Located; ciDefault: boolean }[] {
  if (change.path.endsWith('.yarnrc.yml') || change.base === undefined || change.head === undefined) return [];
  const inWorkflow = isWorkflowPath(change.path);
  const locate = (text: string, side: 'base' | 'head'): Located[] =>
    inWorkflow
      ? stepsOf(parseWorkflow(text, side)).flatMap(({ job, step }) =>
          step.run ? installsOf(step.run.value).map((i) => ({ ...i, scope: `job ${job.id}`, fileLine: runLine(step, i.line) })) : [],
        )
      : isDockerfilePath(change.path)
        ? dockerRuns(text).flatMap((run) =>
            installsOf(run.script).map((i) => ({ ...i, scope: `stage ${run.stage}`, fileLine: run.line + i.line })),
          )
        : [];
  const before = locate(change.base, 'base');
  const after = locate(change.head, 'head');
  const out: { install: Located; was: Located; ciDefault: boolean }[] = [];
  for (const install of after) {
    if (install.frozen) continue;
    const was = before.find((b) => b.frozen && b.manager === install.manager && b.scope === install.scope);
    if (!was) continue;
    if (after.some((a) => a.frozen && a.manager === install.manager && a.scope === install.scope)) continue;
    if (before.some((b) => !b.frozen && b.manager === install.manager && b.scope === install.scope && b.text === install.text)) continue;
    // pnpm and yarn berry turn on frozen installs themselves when the CI variable is set (it is on GitHub runners).
    const ciDefault = inWorkflow && (install.manager === 'pnpm' || (install.manager === 'yarn' && was.text.includes('--immutable')));
    out.push({ install, was, ciDefault });
  }
  return out;
}

/** The lockfiles each package manager freezes. */
const LOCKFILES: Record<Install['manager'], readonly string[]> = {
  npm: ['package-lock.json', 'npm-shrinkwrap.json'],
  yarn: ['yarn.lock'],
  pnpm: ['pnpm-lock.yaml'],
  bun: ['bun.lock', 'bun.lockb'],
};
/** .npmrc settings that stop npm (`package-lock`) and pnpm (`lockfile`) from writing and reading a lockfile. */
const LOCKFILE_SETTINGS = ['package-lock', 'lockfile'] as const;
const TURNS_LOCKFILES_OFF: Partial<Record<Install['manager'], RegExp>> = {
  npm: /^\s*package-lock\s*=\s*false\s*$/m,
  pnpm: /^\s*lockfile\s*=\s*false\s*$/m,
};

/**
 * A frozen install with nothing to freeze: neither tree holds a lockfile of that manager anywhere, or the
 * repository's .npmrc turns lockfiles off (`npm ci` cannot even run there). Unknown (no listing of the trees)
 * is not "without".
 */
function withoutLockfile(tree: TreeView, manager: Install['manager']): boolean {
  const head = tree.list('head', '**');
  if (head.length === 0) return false;
  const off = TURNS_LOCKFILES_OFF[manager];
  if (off && off.test(tree.read('head', '.npmrc') ?? '')) return true;
  const isLockfile = (path: string): boolean => LOCKFILES[manager].includes(path.slice(path.lastIndexOf('/') + 1));
  return !head.some(isLockfile) && !tree.list('base', '**').some(isLockfile);
}

function immutableOff(base: string | undefined, head: string | undefined): AnalyzerFinding[] {
  if (head === undefined) return [];
  const value = (text: string | undefined, side: 'base' | 'head'): { text?: string; line: number } => {
    if (text === undefined) return { line: 1 };
    const yaml = parseYaml(text, side);
    const pair = pairOf(yaml.doc.contents, 'enableImmutableInstalls');
    const found = scalarText(pair?.value);
    return { ...(found !== undefined ? { text: found } : {}), line: yaml.lineOf(pair) };
  };
  const now = value(head, 'head');
  if (now.text !== 'false' || value(base, 'base').text === 'false') return [];
  return [{ messageId: 'immutableOff', side: 'head', line: now.line, key: 'enableImmutableInstalls' }];
}
