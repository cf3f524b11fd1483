import { emptyImpact, type ImpactInput } from '../core/model.js';

/** Placeholder until the impact stage lands (issue 4): no tests, hotspots or history yet. */
export async function gatherImpact(): Promise<ImpactInput> {
  const impact = emptyImpact();
  impact.notes.push('impact analysis (tests, hotspots, history) is not available in this build');
  return impact;
}
