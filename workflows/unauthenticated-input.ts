/**
 * Inputs that did not come from RBM Flow: the payload codec turns a payload that is not encrypted
 * with RBM Flow's key into a marker (domain/unauthenticated-payload.ts). A workflow started with one
 * fails at once, before any step; an Update carrying one is refused by its validator.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import { isUnauthenticatedPayload, NOT_SENT_BY_RBM_FLOW } from '../domain/unauthenticated-payload.js';

/** Fails the workflow (not retried) when one of its arguments was not sent by RBM Flow. */
export function refuseUnauthenticatedStart(...args: unknown[]): void {
  if (args.some(isUnauthenticatedPayload)) throw ApplicationFailure.nonRetryable(NOT_SENT_BY_RBM_FLOW, 'UnauthenticatedPayload');
}

/** The refusal of an Update validator for such an argument, or undefined. */
export function unauthenticatedRefusal(arg: unknown): string | undefined {
  return isUnauthenticatedPayload(arg) ? NOT_SENT_BY_RBM_FLOW : undefined;
}
