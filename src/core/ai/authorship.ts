import type { CommitInfo } from '../model.js';

/** What GitHub tells us about a pull request, as far as authorship goes. */
export interface PullRequestAuthorship {
  author?: string;
  labels?: string[];
  branch?: string;
  body?: string;
}

/** Whether the pull request was written by a coding agent, and the facts that say so. */
export interface AiAuthorship {
  authored: boolean;
  evidence: string[];
}

/** Accounts of coding agents that open pull requests themselves (logins compared case-insensitively). */
const AGENT_ACCOUNTS = [
  'copilot',
  'copilot-swe-agent[bot]',
  'copilot-swe-agent',
  'devin-ai-integration[bot]',
  'cursor[bot]',
  'cursoragent',
  'claude[bot]',
  'anthropic-claude[bot]',
  'openai-codex[bot]',
  'chatgpt-codex-connector[bot]',
  'codex[bot]',
  'google-labs-jules[bot]',
  'jules[bot]',
  'sweep-ai[bot]',
  'openhands-agent',
  'openhands[bot]',
  'codegen-sh[bot]',
  'amazon-q-developer[bot]',
  'gemini-code-assist[bot]',
  'factory-droid[bot]',
];

/** Names an agent signs with in commit trailers, author fields and "generated with" lines. */
const AGENT_NAMES =
  /\b(claude(?: code)?|copilot|cursor ?agent|cursor|devin|codex|chatgpt|openai|gemini|jules|aider|openhands|sweep|codegen|amazon q|windsurf|cline|factory droid|gpt-\d[\w.-]*|llm)\b/i;

/** Email addresses agents commit with. */
const AGENT_EMAILS =
  /(noreply@anthropic\.com|\+copilot@users\.noreply\.github\.com|cursoragent@cursor\.com|devin-ai-integration\[bot\]@users\.noreply\.github\.com|openhands@all-hands\.dev|noreply@openai\.com|aider@aider\.chat|jules@google\.com)/i;

/** Bots that open pull requests but are not coding agents: their PRs are not "AI-authored". */
const NON_AGENT_BOTS = /^(dependabot|renovate|github-actions|snyk-bot|greenkeeper|mergify|pre-commit-ci|allcontributors|imgbot)/i;

const AGENT_BRANCH_PREFIXES = [
  'copilot/',
  'codex/',
  'claude/',
  'cursor/',
  'devin/',
  'jules/',
  'sweep/',
  'openhands/',
  'aider/',
  'ai/',
  'agent/',
  'codegen/',
  'gemini/',
];

const AI_LABELS =
  /^(ai|ai[- ]generated|ai[- ]assisted|ai[- ]authored|generated[- ]by[- ]ai|llm|copilot|codex|claude|agent|coding[- ]agent|bot: ?ai)$/i;

/** "Generated with X", "Created by X", disclosure lines agents and their users write into commits and PR bodies. */
const GENERATED_LINE =
  /(generated|created|written|authored|opened|produced) (?:(?:with|by|using) )(?:the )?(?:help of )?(?:an? )?\[?([\w .-]{2,40})/i;

const TRAILER = /^(co-authored-by|assisted-by|generated-by|ai-assisted|made-with):\s*(.+)$/i;

/** At most this many pieces of evidence are kept: enough to convince a reviewer, short enough to read. */
const MAX_EVIDENCE = 8;

/**
 * Recognizes pull requests written by coding agents from what GitHub and git record: the author
 * account, trailers and "generated with" lines in the commits, the branch name, labels and the PR body.
 * Pure: the caller passes the commits and PR metadata. Authorship is context, never a finding by itself.
 */
export function detectAiAuthorship(commits: CommitInfo[], pullRequest?: PullRequestAuthorship): AiAuthorship {
  const evidence: string[] = [];
  const add = (fact: string): void => {
    if (!evidence.includes(fact)) evidence.push(fact);
  };

  const author = pullRequest?.author?.trim();
  if (author && isAgentAccount(author)) add(`PR author ${author} is a coding agent account`);

  const branch = pullRequest?.branch?.trim();
  if (branch) {
    const prefix = AGENT_BRANCH_PREFIXES.find((p) => branch.toLowerCase().startsWith(p));
    if (prefix) add(`branch ${branch} uses the agent prefix ${prefix}`);
  }

  for (const label of pullRequest?.labels ?? []) {
    if (AI_LABELS.test(label.trim())) add(`label "${label.trim()}"`);
  }

  const bodyLine = findDisclosure(pullRequest?.body ?? '');
  if (bodyLine) add(`PR body says "${bodyLine}"`);

  for (const commit of commits) {
    const short = commit.sha.slice(0, 7);
    if (AGENT_EMAILS.test(commit.authorEmail)) {
      add(`commit ${short} was authored by ${commit.authorName} <${commit.authorEmail}>`);
    } else if (isAgentAccount(commit.authorName)) {
      add(`commit ${short} was authored by ${commit.authorName}`);
    }
    for (const rawLine of commit.message.split('\n')) {
      const line = rawLine.trim();
      const trailer = TRAILER.exec(line);
      if (trailer) {
        const who = trailer[2]!;
        const isAgent = AGENT_EMAILS.test(who) || (AGENT_NAMES.test(who) && !NON_AGENT_BOTS.test(who));
        if (isAgent || trailer[1]!.toLowerCase() !== 'co-authored-by') add(`commit ${short} has the trailer "${clip(line)}"`);
        continue;
      }
      const disclosure = findDisclosure(line);
      if (disclosure) add(`commit ${short} says "${disclosure}"`);
    }
  }

  return { authored: evidence.length > 0, evidence: evidence.slice(0, MAX_EVIDENCE) };
}

function isAgentAccount(login: string): boolean {
  const lower = login.toLowerCase();
  if (NON_AGENT_BOTS.test(lower)) return false;
  return AGENT_ACCOUNTS.includes(lower) || (lower.endsWith('[bot]') && AGENT_NAMES.test(lower.replace(/\[bot\]$/, '').replace(/-/g, ' ')));
}

/** A line that discloses AI generation ("🤖 Generated with [Claude Code]"), or undefined. */
function findDisclosure(text: string): string | undefined {
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    const match = GENERATED_LINE.exec(line);
    if (match && AGENT_NAMES.test(match[2]!)) return clip(line);
    if (/\b(coding agent|ai agent|ai-generated|ai generated|llm-generated)\b/i.test(line)) return clip(line);
  }
  return undefined;
}

function clip(text: string): string {
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
