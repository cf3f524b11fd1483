import type { GitReader, Logger } from '../adapters/ports.js';
import type { Config } from '../core/config/config.js';
import { emptyImpact, type ChangedFile, type ImpactInput } from '../core/model.js';
import type { DetectResult } from '../core/types.js';

/** What the impact stage needs to know about the run. */
export interface ImpactRequest {
  repoDir: string;
  /** Merge-base sha (the PR's base side). */
  base: string;
  head: string;
  files: ChangedFile[];
  detected: DetectResult;
  config: Config;
  /** Paths given with --hotspots / the hotspots input (plus the configuration's). */
  hotspotFiles: string[];
  coverageFiles: string[];
  git: GitReader;
  logger: Logger;
}

/** Placeholder until the impact stage lands (issue 4): no tests, hotspots or history yet. */
export async function gatherImpact(_request: ImpactRequest): Promise<ImpactInput> {
  const impact = emptyImpact();
  impact.notes.push('impact analysis (tests, hotspots, history) is not available in this build');
  return impact;
}
