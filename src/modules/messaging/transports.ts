// Where messages go. Without MAIL_URL or SMS_GATEWAY_URL they stay in the outbox ("kept"), which
// administrators read in the back office: a demo or a test install never sends real messages.
import nodemailer from 'nodemailer';
import type { Config } from '../../config.ts';

export type Delivery = { to: string; subject: string | null; body: string };
export type Transport = { name: string; send(delivery: Delivery): Promise<void> };
export type Transports = { email: Transport | null; sms: Transport | null };

/**
 * E-mail over SMTP: plain text in UTF-8 (nodemailer sets `Content-Type: text/plain;
 * charset=utf-8`, encodes the Arabic subject as an RFC 2047 word and picks the body's transfer
 * encoding). Timeouts are short because a hanging mail server holds up the job worker; the
 * queue retries instead.
 */
export function smtpTransport(url: string, from: string): Transport {
  const mailer = nodemailer.createTransport({
    url,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 30_000,
    // Message bodies are our own text; never let them pull files or URLs into a message.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return {
    name: 'smtp',
    async send(delivery) {
      await mailer.sendMail({
        from,
        to: delivery.to,
        subject: delivery.subject ?? '',
        text: delivery.body,
        // RFC 3834: automatic mail, so vacation responders do not answer a verification code.
        headers: { 'Auto-Submitted': 'auto-generated' },
      });
    },
  };
}

/**
 * A plain HTTP SMS gateway: POST {"to": "+216…", "text": "…"} as JSON, with a bearer token when
 * configured. Any 2xx is success; anything else is retried by the job queue.
 */
export function httpSmsTransport(url: string, token: string | undefined): Transport {
  return {
    name: 'http-sms',
    async send(delivery) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ to: delivery.to, text: delivery.body }),
        signal: AbortSignal.timeout(15_000),
      });
      // Read the body so the connection is reused, and keep a little of it for the outbox.
      const answer = (await response.text().catch(() => '')).slice(0, 200);
      if (!response.ok) throw new Error(`SMS gateway answered ${response.status}${answer ? `: ${answer}` : ''}`);
    },
  };
}

export function transportsFromConfig(config: Config): Transports {
  return {
    email: config.mail.url ? smtpTransport(config.mail.url, config.mail.from) : null,
    sms: config.sms.gatewayUrl ? httpSmsTransport(config.sms.gatewayUrl, config.sms.gatewayToken) : null,
  };
}
