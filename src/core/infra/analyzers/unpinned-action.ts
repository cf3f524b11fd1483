import { defineAnalyzer, type AnalyzerFinding } from '../define-analyzer.js';
import { actionRef, parseWorkflow, usesOf, WORKFLOW_GLOBS } from '../formats/workflow.js';

const COMMIT_SHA = /^[0-9a-f]{40}$/;
const IMAGE_DIGEST = /@sha256:[0-9a-f]{64}$/;

export default defineAnalyzer({
  meta: {
    id: 'unpinned-action',
    category: 'ci',
    severity: 'medium',
    description:
      'An action or reusable workflow that was pinned to a commit SHA (or an image digest) now points at a tag or branch that can move.',
    messages: {
      repinned: '`{{action}}` was pinned to commit {{sha}} and now follows `{{ref}}`, which its owner can move to other code.',
      digest: 'The container action `{{action}}` was pinned by digest and now follows a tag.',
    },
    reads: WORKFLOW_GLOBS,
    docs: {
      catches:
        "A `uses:` (a step's action or a job's reusable workflow) that referenced a full 40-character commit SHA in " +
        'every place of the base version and now references a tag or a branch in the head version; a `docker://` ' +
        'image pinned by `@sha256:` digest that now uses a tag.',
      ignores:
        'SHA pins moved to another SHA (a Dependabot or Renovate update), new pins, actions that were never pinned, local actions (`./`), and new actions used by tag (that is the state of the file, not a change of it).',
      example: {
        file: '.github/workflows/ci.yml',
        before: `on: pull_request
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
      - run: npm ci && npm test
`,
        after: `on: pull_request
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: npm ci && npm test
`,
      },
    },
  },
  analyze(change) {
    if (change.base === undefined || change.head === undefined) return [];
    const base = usesOf(parseWorkflow(change.base, 'base'));
    const head = usesOf(parseWorkflow(change.head, 'head'));
    const pinned = new Map<string, string>();
    const notPinned = new Set<string>();
    for (const uses of base) {
      const { action, ref } = nameOf(uses.value);
      if (action.startsWith('./')) continue;
      if (isPinned(uses.value, ref)) pinned.set(action, ref ?? '');
      else notPinned.add(action);
    }
    const findings: AnalyzerFinding[] = [];
    const reported = new Set<string>();
    for (const uses of head) {
      const { action, ref } = nameOf(uses.value);
      if (!pinned.has(action) || notPinned.has(action) || isPinned(uses.value, ref) || reported.has(action)) continue;
      reported.add(action);
      const docker = action.startsWith('docker://');
      findings.push({
        messageId: docker ? 'digest' : 'repinned',
        side: 'head',
        line: uses.line,
        key: action,
        symbol: action,
        data: { action, sha: pinned.get(action)!.slice(0, 12), ref: ref ?? '(default branch)' },
        evidence: { before: `${action}@${pinned.get(action)}`, after: uses.value },
      });
    }
    return findings;
  },
});

/** The action a `uses:` names without its ref; a container image without its tag or digest. */
function nameOf(uses: string): { action: string; ref?: string } {
  if (!uses.startsWith('docker://')) return actionRef(uses);
  const image = uses.replace(/@sha256:[0-9a-f]+$/, '');
  return { action: image.replace(/:[^/:]+$/, ''), ref: uses.slice(image.length + 1) || image.split(':').slice(2).join(':') };
}

function isPinned(uses: string, ref: string | undefined): boolean {
  return uses.startsWith('docker://') ? IMAGE_DIGEST.test(uses) : ref !== undefined && COMMIT_SHA.test(ref);
}
