import type { Detector, DetectorMeta } from './define-detector.js';
import newCallWithoutTimeout from './detectors/new-call-without-timeout.js';
import newSwallowedError from './detectors/new-swallowed-error.js';
import newUnvalidatedInput from './detectors/new-unvalidated-input.js';
import removedAuth from './detectors/removed-auth.js';
import removedCircuitBreaker from './detectors/removed-circuit-breaker.js';
import removedCleanup from './detectors/removed-cleanup.js';
import removedConcurrencyLimit from './detectors/removed-concurrency-limit.js';
import removedErrorHandling from './detectors/removed-error-handling.js';
import removedIdempotency from './detectors/removed-idempotency.js';
import removedNullSafety from './detectors/removed-null-safety.js';
import removedObservability from './detectors/removed-observability.js';
import removedRateLimit from './detectors/removed-rate-limit.js';
import removedResourceLimit from './detectors/removed-resource-limit.js';
import removedRetry from './detectors/removed-retry.js';
import removedSecretRedaction from './detectors/removed-secret-redaction.js';
import removedTestedGuard from './detectors/removed-tested-guard.js';
import removedTimeout from './detectors/removed-timeout.js';
import removedTransaction from './detectors/removed-transaction.js';
import removedValidation from './detectors/removed-validation.js';
import testWeakening from './detectors/test-weakening.js';
import typeSafety from './detectors/type-safety.js';

/**
 * Every detector, sorted by id. Explicit rather than discovered, so the bundle holds exactly these; a
 * test checks that this list and src/core/detect/detectors/ agree.
 */
export const DETECTORS: readonly Detector[] = [
  newCallWithoutTimeout,
  newSwallowedError,
  newUnvalidatedInput,
  removedAuth,
  removedCircuitBreaker,
  removedCleanup,
  removedConcurrencyLimit,
  removedErrorHandling,
  removedIdempotency,
  removedNullSafety,
  removedObservability,
  removedRateLimit,
  removedResourceLimit,
  removedRetry,
  removedSecretRedaction,
  removedTestedGuard,
  removedTimeout,
  removedTransaction,
  removedValidation,
  testWeakening,
  typeSafety,
];

/** The catalogue's metadata, for renderers (SARIF rules, docs) that must not reach into detectors. */
export function detectorCatalogue(): DetectorMeta[] {
  return DETECTORS.map((d) => d.meta);
}
