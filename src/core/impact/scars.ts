import { inventoryEvidence, type Finding, type Scar } from '../model.js';

/**
 * Scars: a guardrail line that a fix, an incident follow-up, a security patch or a revert put there.
 * The history adapter blames the removed lines in the base version; this decides which of the blamed
 * commits were such fixes, from the conventions commit messages follow.
 */

const SECURITY_RE = /\b(?:CVE-\d{4}-\d+|GHSA(?:-[a-z0-9]{4}){3}|security|vulnerab\w*|exploit\w*|XSS|CSRF|SSRF|RCE|(?:SQL|command|code|header|HTML|script|template) injection|prototype pollution|ReDoS|auth(?:entication|orization)? bypass|privilege escalation)\b/i;
const INCIDENT_RE = /\b(?:incident|outage|post-?mortem|hotfix|sev-?[0-3]\b|INC-\d+|production (?:issue|bug|down)|prod (?:issue|bug|fix)|rollback|downtime|pager)\b/i;
const REVERT_RE = /^Revert\b|\bThis reverts commit [0-9a-f]{7,40}/im;
const FIX_RE = /^(?:fix|bugfix|hotfix)(?:\([^)]*\))?!?:|^\[?fix(?:ed|es)?\]?\b|\b(?:fix(?:e[sd])?|close[sd]?|resolve[sd]?)\s+(?:[\w.-]+\/[\w.-]+)?#\d+|\bfix(?:e[sd]|ing)?\s+(?:a\s+|the\s+)?(?:bug|crash|leak|race|regression|deadlock|hang|timeout|retry|error|issue|problem)\b|\bbug ?fix\b|\bregression\b/im;

/** The kind of fix a commit message describes, or undefined for an ordinary change. */
export function classifyCommitMessage(message: string): Scar['kind'] | undefined {
  if (SECURITY_RE.test(message)) return 'security';
  if (REVERT_RE.test(message)) return 'revert';
  if (INCIDENT_RE.test(message)) return 'incident';
  if (FIX_RE.test(message)) return 'fix';
  return undefined;
}

/** The base-side lines to blame for each finding about removed code: its line, and its snippet's lines. */
export function scarCandidates(findings: Finding[]): { file: string; from: number; to: number }[] {
  const ranges = new Map<string, { file: string; from: number; to: number }>();
  for (const finding of findings) {
    if (finding.side !== 'base' || finding.line < 1) continue;
    const evidence = inventoryEvidence(finding);
    const snippet = evidence?.kind === 'weakened' ? evidence.before : (evidence?.removed ?? '');
    const span = Math.min(20, Math.max(1, snippet.split('\n').length));
    const key = `${finding.file}:${finding.line}`;
    const existing = ranges.get(key);
    if (!existing || existing.to < finding.line + span - 1) ranges.set(key, { file: finding.file, from: finding.line, to: finding.line + span - 1 });
  }
  return [...ranges.values()];
}

const KIND_RANK: Record<Scar['kind'], number> = { security: 4, incident: 3, revert: 2, fix: 1 };

/** Picks the strongest scar per blamed range (a security fix outranks a plain fix). */
export function strongestScar(scars: Scar[]): Scar | undefined {
  return [...scars].sort((a, b) => KIND_RANK[b.kind] - KIND_RANK[a.kind] || a.line - b.line)[0];
}
