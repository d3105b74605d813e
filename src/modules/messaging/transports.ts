// Where messages go. Without MAIL_URL or SMS_GATEWAY_URL they stay in the outbox ("kept"), which
// administrators read in the back office: a demo or a test install never sends real messages.
import nodemailer from 'nodemailer';
import type { Config } from '../../config.ts';

export type Delivery = { to: string; subject: string | null; body: string };
export type Transport = { name: string; send(delivery: Delivery): Promise<void> };
export type Transports = { email: Transport | null; sms: Transport | null };

export function smtpTransport(url: string, from: string): Transport {
  const mailer = nodemailer.createTransport(url);
  return {
    name: 'smtp',
    async send(delivery) {
      await mailer.sendMail({ from, to: delivery.to, subject: delivery.subject ?? '', text: delivery.body });
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
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ to: delivery.to, text: delivery.body }),
        signal: AbortSignal.timeout(15_000),
      });
      if (!response.ok) throw new Error(`SMS gateway answered ${response.status}`);
    },
  };
}

export function transportsFromConfig(config: Config): Transports {
  return {
    email: config.mail.url ? smtpTransport(config.mail.url, config.mail.from) : null,
    sms: config.sms.gatewayUrl ? httpSmsTransport(config.sms.gatewayUrl, config.sms.gatewayToken) : null,
  };
}
