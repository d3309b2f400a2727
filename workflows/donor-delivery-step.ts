/**
 * The last step of an approved cycle: e-mail the final report to the donors that fund the project.
 * SMTP failures are retried with backoff; after the last attempt the undelivered mails are marked
 * failed and the M&E officers are told, but the cycle itself still completes (the report is final).
 */
import { ActivityFailure, proxyActivities } from '@temporalio/workflow';
import type { createDonorDeliveryActivities } from '../activities/donor-delivery.js';
import { reportRequest, type CycleRun } from './cycle-run.js';

type DonorDelivery = ReturnType<typeof createDonorDeliveryActivities>;

export const DONOR_DELIVERY_PATCH = 'donor-delivery';

export async function deliverToDonorsStep(run: CycleRun, meOfficers: string[]): Promise<void> {
  const { input, status } = run;
  const retry = input.deliveryRetry ?? { initialIntervalMs: 30_000, maximumAttempts: 6 };
  const { deliverToDonors, failDonorDeliveries } = proxyActivities<DonorDelivery>({
    startToCloseTimeout: '2 minutes',
    // Heartbeats while it sends: a delivery lost with a killed worker is retried on another within 30 s (issue 15).
    heartbeatTimeout: '30 seconds',
    retry: { initialInterval: retry.initialIntervalMs, backoffCoefficient: 2, maximumAttempts: retry.maximumAttempts },
  });
  const { cycleId, projectCode, period, templateId, version } = reportRequest(run, '');
  try {
    status.donorDeliveries = await deliverToDonors({ cycleId, projectCode, period, templateId, version, artifacts: status.final });
    status.deliveryFailed = null;
    if (status.donorDeliveries.length) await run.record('delivering', 'system', 'delivered_to_donors', { deliveries: status.donorDeliveries });
  } catch (e) {
    const error = e instanceof ActivityFailure ? (e.cause?.message ?? e.message) : String(e);
    status.deliveryFailed = error;
    await failDonorDeliveries({ cycleId, version, error });
    await run.record('delivering', 'system', 'delivery_failed', { error });
    // The officers must learn of it even when the SMTP server that failed the donors is still down.
    await run.notify('delivery_failed', meOfficers, { comment: error, untilSent: true });
  }
}
