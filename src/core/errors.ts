/** The user's input is wrong (flag, configuration, revision): exit 2 with a message that says what to fix. */
export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

/** The token may not do this (fork PR, read-only token): degrade to another surface, never fail the gate. */
export class PermissionDeniedError extends Error {
  override name = 'PermissionDeniedError';
}
