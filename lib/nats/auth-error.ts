/**
 * Whether a server `-ERR` is about credentials ("Authorization Violation", "Authentication
 * Timeout", "User Authentication Expired", "User Authentication Revoked", "Account
 * Authentication Expired"): during the handshake such an error is fatal, since retrying with the
 * same credentials would only be refused again.
 */
export function isAuthError(message: string): boolean {
  return /authori[sz]ation violation|authentication (timeout|expired|revoked)/i.test(message);
}
