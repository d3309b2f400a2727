/**
 * The e-mails a report cycle sends, as plain text: who must act, on what, and a link to the draft.
 * Pure: the notify activity resolves addresses and sends.
 */
export type NotificationKind = 'review_requested' | 'returned' | 'approved' | 'reminder' | 'escalation' | 'overdue' | 'cancelled' | 'delivery_failed';

export interface NotificationInput {
  kind: NotificationKind;
  cycleId: string;
  projectCode: string;
  projectTitle: string;
  period: string;
  version: number;
  stepName: string | null;
  actorName: string | null;
  comment: string | null;
  dueDate: string | null;
  link: string;
}

export interface ComposedMail {
  subject: string;
  text: string;
}

const ACTION: Record<NotificationKind, (n: NotificationInput) => string> = {
  review_requested: (n) => `Version ${n.version} of the report is ready for your review${n.stepName ? ` (${n.stepName})` : ''}. Please approve it, or return it with a comment saying what to fix.`,
  returned: (n) => `${n.actorName ?? 'A reviewer'} returned version ${n.version} with this comment:\n\n  ${n.comment ?? ''}\n\nPlease fix the data or narrative and resubmit the cycle.`,
  approved: (n) => `${n.actorName ?? 'The last approver'} approved version ${n.version}. The final report is being rendered and delivered.`,
  reminder: (n) => `Version ${n.version} is still waiting for your review${n.stepName ? ` (${n.stepName})` : ''}.`,
  escalation: (n) => `Version ${n.version} has waited too long at the step "${n.stepName ?? ''}": it is escalated to you. You may approve it or return it with a comment.`,
  overdue: (n) => `The report is overdue: it was due on ${n.dueDate ?? 'its due date'} and is not yet approved.`,
  cancelled: (n) => `${n.actorName ?? 'An M&E officer'} cancelled the report cycle: ${n.comment ?? ''}`,
  delivery_failed: (n) => `The approved version ${n.version} could not be e-mailed to the donor: ${n.comment ?? ''}\nCheck \`rbm deliveries list\` and resend with \`rbm deliveries retry ID\`.`,
};

const SUBJECT: Record<NotificationKind, string> = {
  review_requested: 'Review requested',
  returned: 'Returned with comments',
  approved: 'Approved',
  reminder: 'Reminder: review waiting',
  escalation: 'Escalation: review waiting',
  overdue: 'Overdue report',
  cancelled: 'Report cycle cancelled',
  delivery_failed: 'Delivery to the donor failed',
};

export function composeNotification(n: NotificationInput): ComposedMail {
  const subject = `[RBM Flow] ${SUBJECT[n.kind]}: ${n.projectCode} ${n.period} report`;
  const text = [
    `${n.projectTitle} (${n.projectCode}), report for ${n.period}.`,
    '',
    ACTION[n.kind](n),
    '',
    `Open the draft: ${n.link}`,
    n.dueDate ? `Due date: ${n.dueDate}` : null,
    '',
    '-- RBM Flow',
  ]
    .filter((l): l is string => l !== null)
    .join('\n');
  return { subject, text };
}

/**
 * What a donor's report e-mail says. A version that replaces one this donor received (a cycle reopened
 * and corrected after approval) says so in its subject, so that the donor files the right one.
 */
export interface DonorReportMailInput {
  projectTitle: string;
  projectCode: string;
  period: string;
  version: number;
  /** The earlier version of this report this recipient was sent, or null (the first they receive). */
  replacesVersion: number | null;
  recipientName: string;
  links: string[];
}

export function composeDonorReportMail(m: DonorReportMailInput): ComposedMail {
  const revised = m.replacesVersion !== null;
  const subject = revised
    ? `${m.projectTitle} (${m.projectCode}): revised report for ${m.period} (version ${m.version})`
    : `${m.projectTitle} (${m.projectCode}): report for ${m.period}`;
  const text = [
    `Dear ${m.recipientName},`,
    '',
    revised
      ? `Please find attached a revised version of the approved report of "${m.projectTitle}" (${m.projectCode}) for ${m.period}: version ${m.version}, which replaces version ${m.replacesVersion} sent to you earlier. Its cover page says that it was revised after approval.`
      : `Please find attached the approved report of "${m.projectTitle}" (${m.projectCode}) for ${m.period}, version ${m.version}.`,
    '',
    `You can also download it from the donor portal: ${m.links.join('  ')}`,
    '',
    'With kind regards,',
    'IOM Libya — Monitoring and Evaluation',
  ].join('\n');
  return { subject, text };
}
