/**
 * The one error type of RBM Flow. `code` is stable (scripts and the HTTP API map it), `message` is
 * written for the user who has to act on it.
 */
export type RbmErrorCode =
  | 'invalid_input'
  | 'not_found'
  | 'conflict'
  | 'refused'
  | 'services_unavailable'
  | 'internal';

export class RbmError extends Error {
  override readonly name = 'RbmError';
  constructor(
    readonly code: RbmErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const isRbmError = (e: unknown): e is RbmError => e instanceof RbmError;
