import { inventoryEvidence, type Finding, type Scar } from '../model.js';

/**
 * Scars: a guardrail line that a fix, an incident follow-up, a security patch or a revert put there.
 * The history adapter blames the removed lines in the base version; this decides which of the blamed
 * commits were such fixes, from the conventions commit messages follow.
 *
 * A scar raises a finding to critical, so it needs evidence that the commit was a fix: its conventional
 * type (`fix:`, `fix(scope):`, `hotfix:`, `revert:`), or a message that reads as a fix (a subject that
 * starts with "Fix", "Fixes #12", "fix the crash", a named attack class, a revert). A word in a feature's
 * subject (`feat: add security settings`, `feat: rollback command`) is not: the type says what it is.
 */

/** Advisory ids are evidence on their own, whatever the commit calls itself. */
const ADVISORY_RE = /\b(?:CVE-\d{4}-\d+|GHSA(?:-[a-z0-9]{4}){3})\b/i;
/** Classes of vulnerability: a commit about one is a security fix once it reads as a fix or names the attack. */
const ATTACK_RE =
  /\b(?:vulnerab\w*|exploit\w*|XSS|CSRF|SSRF|RCE|(?:SQL|NoSQL|command|code|header|HTML|script|template|LDAP) injection|prototype pollution|ReDoS|open redirect|path traversal|auth(?:entication|orization)? bypass|privilege escalation)\b/i;
const SECURITY_WORD_RE = /\bsecurity\b/i;
const INCIDENT_RE =
  /\b(?:incident|outage|post-?mortem|hotfix|sev-?[0-3]\b|INC-\d+|production (?:issue|bug|down)|prod (?:issue|bug|fix)|downtime)\b/i;
const REVERT_RE = /^Revert\b|\bThis reverts commit [0-9a-f]{7,40}/im;
const MERGE_RE = /^Merge (?:branch|pull request|remote-tracking|tag|[\w./-]+ (?:in|into) )/;
/** `type(scope)!: subject`, the conventional-commit header. */
const CONVENTIONAL_RE = /^\s*([a-z]+)(?:\([^)]*\))?!?:/i;
const FIX_TYPES = new Set(['fix', 'fixes', 'bugfix', 'hotfix', 'security', 'sec', 'revert']);
/** A subject that starts as a fix does: "Fix …", "Fixed …", "[fix] …", "Hotfix …", "Bugfix: …". */
const FIX_SUBJECT_RE = /^\s*(?:\[(?:fix|bugfix|hotfix)\]|(?:fix(?:e[sd]|ing)?|bug ?fix|hot ?fix|patch(?:ed)?)\b)/i;
/** A reference that says the commit fixes a reported issue, or a fix of a named failure. */
const FIX_PHRASE_RE =
  /\b(?:fix(?:e[sd])?|resolve[sd]?)\s+(?:[\w.-]+\/[\w.-]+)?#\d+|\bfix(?:e[sd]|ing)?\s+(?:a\s+|an\s+|the\s+)?(?:bug|crash|leak|race|regression|deadlock|hang|timeout|error|issue|problem)\b/i;

/** The kind of fix a commit message describes, or undefined for an ordinary change. */
export function classifyCommitMessage(message: string): Scar['kind'] | undefined {
  const subject = message.split('\n', 1)[0] ?? '';
  // A merge commit carries whatever its branch did, listed in its body: its own message is no evidence.
  if (MERGE_RE.test(subject)) return undefined;
  if (ADVISORY_RE.test(message)) return 'security';
  const type = CONVENTIONAL_RE.exec(subject)?.[1]?.toLowerCase();
  // A conventional type other than a fix (feat, chore, refactor, docs, test, perf…) says what the commit is.
  if (type !== undefined && !FIX_TYPES.has(type)) return undefined;
  const reverted = REVERT_RE.test(message) || type === 'revert';
  const attack = ATTACK_RE.test(subject);
  const fixLike = type !== undefined || reverted || attack || FIX_SUBJECT_RE.test(subject) || FIX_PHRASE_RE.test(message);
  if (!fixLike) return undefined;
  if (attack || ATTACK_RE.test(message) || SECURITY_WORD_RE.test(subject) || type === 'security' || type === 'sec') return 'security';
  if (reverted) return 'revert';
  if (INCIDENT_RE.test(message)) return 'incident';
  return 'fix';
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
    if (!existing || existing.to < finding.line + span - 1)
      ranges.set(key, { file: finding.file, from: finding.line, to: finding.line + span - 1 });
  }
  return [...ranges.values()];
}

const KIND_RANK: Record<Scar['kind'], number> = { security: 4, incident: 3, revert: 2, fix: 1 };

/** Picks the strongest scar per blamed range (a security fix outranks a plain fix). */
export function strongestScar(scars: Scar[]): Scar | undefined {
  return [...scars].sort((a, b) => KIND_RANK[b.kind] - KIND_RANK[a.kind] || a.line - b.line)[0];
}
