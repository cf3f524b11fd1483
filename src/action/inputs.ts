import { ConfigurationError } from '../core/errors.js';
import { LEVELS, parseFailOnLevel, type Level } from '../core/model.js';

/** The Action's inputs (action.yml), validated. */
export interface ActionInputs {
  token: string;
  configPath?: string;
  failOn?: Level;
  base?: string;
  head?: string;
  hotspots: string[];
  coverage: string[];
  comment: boolean;
  reviewComments: boolean;
  sarif?: string;
}

/** Reads one raw input by its action.yml name ('' when unset). */
export type InputSource = (name: string) => string;

/**
 * The only place inputs are read and checked. A wrong value is a ConfigurationError naming the input and
 * the form it expects, so the step fails with exit 2's message instead of running with a guess.
 */
export function readActionInputs(get: InputSource): ActionInputs {
  const failOnRaw = get('fail-on').trim().toLowerCase();
  const failOn = failOnRaw ? parseFailOnLevel(failOnRaw) : undefined;
  if (failOnRaw && failOn === undefined) {
    throw new ConfigurationError(`input fail-on: expected one of ${LEVELS.join(', ')} (or never), got "${failOnRaw}"`);
  }
  return {
    token: get('github-token').trim(),
    configPath: optional(get('config')),
    failOn,
    base: revision(get('base'), 'base'),
    head: revision(get('head'), 'head'),
    hotspots: list(get('hotspots')),
    coverage: list(get('coverage')),
    comment: boolean(get('comment'), 'comment', true),
    reviewComments: boolean(get('review-comments'), 'review-comments', true),
    sarif: optional(get('sarif')),
  };
}

function optional(value: string): string | undefined {
  const trimmed = value.trim();
  return trimmed ? trimmed : undefined;
}

/** A revision must not look like a git option (PR-controlled strings never become flags). */
function revision(value: string, name: string): string | undefined {
  const trimmed = value.trim();
  if (!trimmed) return undefined;
  if (trimmed.startsWith('-') || /\s/.test(trimmed)) {
    throw new ConfigurationError(`input ${name}: expected a git revision (a sha, branch or tag), got "${trimmed}"`);
  }
  return trimmed;
}

/** Multi-line list inputs: one entry per line (commas also separate); blank lines and # comments skipped. */
function list(value: string): string[] {
  return value
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s && !s.startsWith('#'));
}

/** YAML 1.2 core schema booleans, as @actions/core's getBooleanInput accepts them. */
function boolean(value: string, name: string, fallback: boolean): boolean {
  const trimmed = value.trim();
  if (!trimmed) return fallback;
  if (['true', 'True', 'TRUE'].includes(trimmed)) return true;
  if (['false', 'False', 'FALSE'].includes(trimmed)) return false;
  throw new ConfigurationError(`input ${name}: expected true or false, got "${trimmed}"`);
}
