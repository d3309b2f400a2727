/**
 * What RBM Flow's payload codec (runtime/payload-codec.ts) gives the workflows in place of a payload
 * that is not encrypted with one of its keys: a marker value, so that the workflow can refuse the
 * input with a reason instead of failing on bad data. Pure: workflows import it.
 */
export const UNAUTHENTICATED_PAYLOAD_KEY = '$rbmUnauthenticated';

/** The reason every refusal of such an input gives. */
export const NOT_SENT_BY_RBM_FLOW = 'not sent by RBM Flow: payload is not encrypted with its key';

export interface UnauthenticatedPayload {
  [UNAUTHENTICATED_PAYLOAD_KEY]: true;
  /** Why the codec could not decrypt it (no encryption, an unknown key id, a failed check). */
  why: string;
}

export function unauthenticatedPayload(why: string): UnauthenticatedPayload {
  return { [UNAUTHENTICATED_PAYLOAD_KEY]: true, why };
}

export function isUnauthenticatedPayload(value: unknown): value is UnauthenticatedPayload {
  return typeof value === 'object' && value !== null && (value as Record<string, unknown>)[UNAUTHENTICATED_PAYLOAD_KEY] === true;
}
