/**
 * Started each month by a donor's digest Schedule: e-mails the donor the latest approved report of
 * every project it funds (the activity does it once per donor, month and recipient).
 */
import { proxyActivities } from '@temporalio/workflow';
import type { createDonorDeliveryActivities } from '../activities/donor-delivery.js';
import { lastEndedMonth } from '../domain/agreements.js';
import { refuseUnauthenticatedStart } from './unauthenticated-input.js';

const { sendDonorDigest } = proxyActivities<ReturnType<typeof createDonorDeliveryActivities>>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '30 seconds', backoffCoefficient: 2, maximumAttempts: 6 },
});

export async function donorDigestWorkflow(input: { donorCode: string }): Promise<{ month: string; sent: Array<{ email: string; state: string; reports: number }> }> {
  refuseUnauthenticatedStart(input);
  const month = lastEndedMonth(new Date().toISOString()); // workflow time: deterministic
  return { month, sent: await sendDonorDigest({ donorCode: input.donorCode, month }) };
}
