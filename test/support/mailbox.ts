/** Reads what the test SMTP server (Mailpit) received, through its REST API. */
import { inject } from 'vitest';

export interface ReceivedMail {
  id: string;
  subject: string;
  to: string[];
  text: string;
  attachments: Array<{ filename: string; size: number; partId: string }>;
}

const api = () => inject('mailApiUrl');

export async function mailsTo(address: string): Promise<ReceivedMail[]> {
  const res = await fetch(`${api()}/api/v1/search?query=${encodeURIComponent(`to:"${address}"`)}&limit=200`);
  const body = (await res.json()) as { messages: Array<{ ID: string; Subject: string; To: Array<{ Address: string }> }> };
  const mails: ReceivedMail[] = [];
  for (const m of body.messages) {
    const full = (await (await fetch(`${api()}/api/v1/message/${m.ID}`)).json()) as { Text: string; Attachments: Array<{ FileName: string; Size: number; PartID: string }> };
    mails.push({
      id: m.ID, subject: m.Subject, to: m.To.map((t) => t.Address), text: full.Text,
      attachments: (full.Attachments ?? []).map((a) => ({ filename: a.FileName, size: a.Size, partId: a.PartID })),
    });
  }
  return mails.reverse(); // oldest first
}

export async function attachment(mailId: string, partId: string): Promise<Buffer> {
  return Buffer.from(await (await fetch(`${api()}/api/v1/message/${mailId}/part/${partId}`)).arrayBuffer());
}

/** Waits for a mail to `address` that matches (mail is sent by an activity, a moment after the event). */
export async function waitForMail(address: string, matches: (m: ReceivedMail) => boolean, timeoutMs = 15_000): Promise<ReceivedMail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await mailsTo(address)).find(matches);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no mail to ${address} matched within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
