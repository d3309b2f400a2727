/** Sending e-mail over SMTP with nodemailer; absent when no SMTP server is configured. */
import nodemailer from 'nodemailer';

export interface Mailer {
  /**
   * `to` as name and address, never as one "Name <address>" string: nodemailer parses such a string as a
   * list, so a name with a comma or an angle bracket (set by an administrator or a donor's contact
   * details) would add recipients.
   */
  send(mail: { to: { name: string; address: string }; subject: string; text: string; attachments?: Array<{ filename: string; content: Buffer }> }): Promise<void>;
  close(): void;
}

export function createMailer(smtpUrl: string, from: string): Mailer {
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    async send(mail) {
      await transport.sendMail({ from, ...mail });
    },
    close: () => transport.close(),
  };
}
