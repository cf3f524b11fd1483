import dangerousWorkflowTrigger from './analyzers/dangerous-workflow-trigger.js';
import { envDeclarationRemoved } from './analyzers/env-declaration-removed.js';
import { envSchemaLoosened } from './analyzers/env-schema-loosened.js';
import { envUndeclared } from './analyzers/env-undeclared.js';
import { hollowReadinessHandler } from './analyzers/hollow-readiness-handler.js';
import lockfileDrift from './analyzers/lockfile-drift.js';
import { loosenedContainerSecurity } from './analyzers/loosened-container-security.js';
import { loosenedDeploymentLimits } from './analyzers/loosened-deployment-limits.js';
import loosenedInstallGuard from './analyzers/loosened-install-guard.js';
import maskedCiFailure from './analyzers/masked-ci-failure.js';
import { migrationBreaksRunningCode } from './analyzers/migration-breaks-running-code.js';
import { migrationEditedAfterApply } from './analyzers/migration-edited-after-apply.js';
import { migrationLocksTable } from './analyzers/migration-locks-table.js';
import removedCiCheck from './analyzers/removed-ci-check.js';
import { removedHealthCheck } from './analyzers/removed-health-check.js';
import unfrozenInstall from './analyzers/unfrozen-install.js';
import unpinnedAction from './analyzers/unpinned-action.js';
import untrustedLockfileSource from './analyzers/untrusted-lockfile-source.js';
import widenedDependencyRange from './analyzers/widened-dependency-range.js';
import widenedTokenPermissions from './analyzers/widened-token-permissions.js';
import type { Analyzer, AnalyzerMeta } from './define-analyzer.js';

/**
 * Every analyzer of non-code files, sorted by id. Explicit rather than discovered, so the bundle holds
 * exactly these; a test checks that this list and src/core/infra/analyzers/ agree.
 */
export const ANALYZERS: readonly Analyzer[] = [
  dangerousWorkflowTrigger,
  envDeclarationRemoved,
  envSchemaLoosened,
  envUndeclared,
  hollowReadinessHandler,
  lockfileDrift,
  loosenedContainerSecurity,
  loosenedDeploymentLimits,
  loosenedInstallGuard,
  maskedCiFailure,
  migrationBreaksRunningCode,
  migrationEditedAfterApply,
  migrationLocksTable,
  removedCiCheck,
  removedHealthCheck,
  unfrozenInstall,
  unpinnedAction,
  untrustedLockfileSource,
  widenedDependencyRange,
  widenedTokenPermissions,
];

/** The analyzers' metadata, for renderers (SARIF rules, docs) that must not reach into analyzers. */
export function analyzerCatalogue(): AnalyzerMeta[] {
  return ANALYZERS.map((a) => a.meta);
}
