import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** What the server answers instead of accepting, e.g. `{ code: 451, message: '4.7.1 Try again later' }`. */
export interface SmtpRefusal {
  code: number;
  message: string;
}

export interface ReceivedMail {
  envelopeFrom: string;
  envelopeTo: string[];
  raw: string;
  /** Header name (lower case) → every value, unfolded and decoded, in order. */
  headers: Map<string, string[]>;
  /** The first value of a header, or undefined. */
  header(name: string): string | undefined;
  text?: string;
  html?: string;
}

/**
 * A real SMTP server on a free loopback port (no TLS, no authentication), recording what
 * it receives. Set `refuseRecipient` / `refuseMessage` to answer RCPT TO or the end of
 * DATA with an error, e.g. to play a greylisting server.
 */
export class SmtpTestServer {
  readonly received: ReceivedMail[] = [];
  /** How many times RCPT TO was sent for each address. */
  readonly recipientAttempts = new Map<string, number>();
  /** How many times DATA was completed for each envelope (its recipients, comma-joined). */
  readonly messageAttempts = new Map<string, number>();
  refuseRecipient?: (address: string, attempt: number) => SmtpRefusal | undefined;
  refuseMessage?: (envelopeTo: string[], attempt: number) => SmtpRefusal | undefined;
  private queued = 0;
  private readonly server: SMTPServer;

  private constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      closeTimeout: 1_000,
      onRcptTo: (address, _session, callback) => {
        const attempt = this.count(this.recipientAttempts, address.address);
        const refusal = this.refuseRecipient?.(address.address, attempt);
        callback(refusal ? refusalError(refusal) : null);
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const envelopeTo = session.envelope.rcptTo.map((rcpt) => rcpt.address);
          const attempt = this.count(this.messageAttempts, envelopeTo.join(','));
          const refusal = this.refuseMessage?.(envelopeTo, attempt);
          if (refusal) return callback(refusalError(refusal));
          const from = session.envelope.mailFrom;
          this.received.push(
            parseMessage(Buffer.concat(chunks).toString('utf8'), {
              envelopeFrom: from ? from.address : '',
              envelopeTo,
            }),
          );
          callback(null, `OK: queued as TEST${++this.queued}`);
        });
      },
    });
  }

  static async start(): Promise<SmtpTestServer> {
    const instance = new SmtpTestServer();
    await new Promise<void>((resolve, reject) => {
      instance.server.once('error', reject);
      instance.server.listen(0, '127.0.0.1', () => resolve());
    });
    instance.server.on('error', () => undefined);
    return instance;
  }

  get port(): number {
    return (this.server.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Messages delivered to `address` (in the envelope). */
  deliveredTo(address: string): ReceivedMail[] {
    return this.received.filter((mail) => mail.envelopeTo.includes(address));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private count(counts: Map<string, number>, key: string): number {
    const attempt = (counts.get(key) ?? 0) + 1;
    counts.set(key, attempt);
    return attempt;
  }
}

function refusalError({ code, message }: SmtpRefusal): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

// A small MIME reader, enough for what nodemailer writes (a multipart/alternative with a
// text and an HTML part, 7bit, quoted-printable or base64), so the tests see decoded text.

function splitHeadersAndBody(entity: string): { headers: Map<string, string[]>; body: string } {
  const end = entity.indexOf('\r\n\r\n');
  const head = end === -1 ? entity : entity.slice(0, end);
  const body = end === -1 ? '' : entity.slice(end + 4);
  const headers = new Map<string, string[]>();
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    headers.set(name, [
      ...(headers.get(name) ?? []),
      decodeEncodedWords(line.slice(colon + 1).trim()),
    ]);
  }
  return { headers, body };
}

function decodeEncodedWords(value: string): string {
  return value
    .replace(/(=\?[^?]+\?[bBqQ]\?[^?]*\?=)\s+(?==\?)/g, '$1')
    .replace(
      /=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g,
      (_match, _charset, encoding: string, text: string) =>
        encoding.toUpperCase() === 'B'
          ? Buffer.from(text, 'base64').toString('utf8')
          : decodeQuotedPrintable(text.replace(/_/g, ' ')),
    );
}

function decodeQuotedPrintable(text: string): string {
  const bytes: number[] = [];
  const source = text.replace(/=\r?\n/g, '');
  for (let index = 0; index < source.length; index++) {
    const hex = source.slice(index + 1, index + 3);
    if (source[index] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      index += 2;
    } else {
      bytes.push(...Buffer.from(source[index], 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function decodeBody(body: string, encoding: string | undefined): string {
  switch (encoding?.toLowerCase()) {
    case 'quoted-printable':
      return decodeQuotedPrintable(body);
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    default:
      return body;
  }
}

function collectParts(entity: string, into: { text?: string; html?: string }): void {
  const { headers, body } = splitHeadersAndBody(entity);
  const contentType = headers.get('content-type')?.[0] ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (contentType.toLowerCase().startsWith('multipart/') && boundary) {
    const sections = body.split(`--${boundary}`).slice(1);
    for (const section of sections) {
      if (section.startsWith('--')) break;
      collectParts(section.replace(/^\r\n/, '').replace(/\r\n$/, ''), into);
    }
    return;
  }
  const decoded = decodeBody(body, headers.get('content-transfer-encoding')?.[0]).replace(
    /\r\n/g,
    '\n',
  );
  if (contentType.toLowerCase().startsWith('text/html')) into.html ??= decoded;
  else if (contentType.toLowerCase().startsWith('text/plain')) into.text ??= decoded;
}

function parseMessage(
  raw: string,
  envelope: { envelopeFrom: string; envelopeTo: string[] },
): ReceivedMail {
  const { headers } = splitHeadersAndBody(raw);
  const parts: { text?: string; html?: string } = {};
  collectParts(raw, parts);
  return {
    ...envelope,
    raw,
    headers,
    header: (name) => headers.get(name.toLowerCase())?.[0],
    ...parts,
  };
}
