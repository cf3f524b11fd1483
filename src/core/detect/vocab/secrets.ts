// Secrets: the names credentials go by, the calls that hide them, the placeholders that replace them.

/** Names of values and fields that hold credentials: tokens, secrets, passwords, keys, auth headers, cookies. */
const SECRET_NAME =
  /^(token|tokens|accessToken|access_token|refreshToken|refresh_token|idToken|id_token|authToken|auth_token|bearerToken|bearer|apiToken|api_token|sessionToken|session_token|csrfToken|jwt|secret|secrets|clientSecret|client_secret|secretKey|secret_key|webhookSecret|signingSecret|password|passwd|pwd|passphrase|apiKey|api_key|apikey|x-api-key|privateKey|private_key|authorization|Authorization|cookie|cookies|set-cookie|credentials|credential|creds|connectionString|dsn)$/i;

/** Whether a name (identifier, property, header) holds a credential. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** Calls that hide a secret before it is shown: redact(x), maskToken(t), scrubHeaders(h). */
export const REDACTION_CALL =
  /^(redact\w*|mask(Secret|Secrets|Token|Key|Password|Sensitive|Credentials|Headers|Value|Url|Email)?\w*|scrub\w*|censor\w*|obfuscate\w*|hideSecrets?|stripSecrets?|stripCredentials|stripAuth\w*|sanitize(Secrets?|Headers|Tokens?|Credentials|Log\w*|Error\w*|Url|Request|Config)|filterSensitive\w*|omitSensitive\w*|removeSensitive\w*|anonymi[sz]e\w*)$/;
