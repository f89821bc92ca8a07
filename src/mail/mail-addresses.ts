import { isEmail } from 'class-validator';
import addressparser from 'nodemailer/lib/addressparser';
import type { FieldError } from '#src/errors/domain-error.js';
import { InvalidMailAddressError } from '#src/mail/mail.errors.js';

/** A mailbox as stored and sent: `name` is '' when there is none. */
export interface MailAddress {
  name: string;
  address: string;
}

/** `'Ada Lovelace <ada@example.com>'`, `'ada@example.com'` or `{ name, address }`. */
export type MailAddressInput = string | { name?: string; address: string };

/** One address or a list of them; a string holds exactly one address. */
export type MailRecipientsInput = MailAddressInput | readonly MailAddressInput[];

/** More would be a mailing list: send one message per reader instead. */
export const MAX_RECIPIENTS = 50;
const MAX_NAME_LENGTH = 200;

/**
 * Line breaks would end a header and start another (header injection); other control
 * characters have no business in a name or an address either. Tab is allowed in names.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000a-\u001f\u007f\u0085\u2028\u2029]/;
const LINE_BREAK = /[\r\n\u0085\u2028\u2029]/;

function controlCharacterProblem(value: string): string | undefined {
  if (LINE_BREAK.test(value)) return 'must not contain line breaks';
  if (CONTROL_CHARACTERS.test(value)) return 'must not contain control characters';
  return undefined;
}

const EMAIL_OPTIONS = {
  allow_display_name: false,
  allow_utf8_local_part: true,
  allow_ip_domain: false,
  require_tld: true,
  ignore_max_length: false,
};

/** Like Django's EmailValidator: a domain needs a TLD, except `localhost` (development). */
function isDeliverableAddress(address: string): boolean {
  if (isEmail(address, EMAIL_OPTIONS)) return true;
  const domain = address.slice(address.lastIndexOf('@') + 1);
  return (
    domain.toLowerCase() === 'localhost' &&
    isEmail(address, { ...EMAIL_OPTIONS, require_tld: false })
  );
}

/** Checks one entry; returns the mailbox, or what is wrong with it. */
export function parseMailAddress(input: unknown): MailAddress | { problem: string } {
  if (typeof input === 'string') {
    const problem = controlCharacterProblem(input);
    if (problem) return { problem };
    const parsed = addressparser(input);
    if (parsed.length === 0 || input.trim() === '') return { problem: 'is empty' };
    if (parsed.some((entry) => entry.group !== undefined)) {
      return {
        problem: `${JSON.stringify(input)} is an address group; give each address on its own`,
      };
    }
    if (parsed.length > 1) {
      return {
        problem: `${JSON.stringify(input)} holds ${parsed.length} addresses; give each address on its own`,
      };
    }
    return checkMailbox({ name: parsed[0].name, address: parsed[0].address ?? '' }, input);
  }
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    const { name, address } = input as { name?: unknown; address?: unknown };
    if (typeof address !== 'string') return { problem: 'needs an address' };
    if (name !== undefined && typeof name !== 'string')
      return { problem: 'has a name that is not text' };
    const problem = controlCharacterProblem(address) ?? controlCharacterProblem(name ?? '');
    if (problem) return { problem };
    return checkMailbox({ name: name ?? '', address }, address);
  }
  return { problem: 'expected an address such as "Ada Lovelace <ada@example.com>"' };
}

function checkMailbox(mailbox: MailAddress, given: string): MailAddress | { problem: string } {
  const name = mailbox.name.trim();
  const address = mailbox.address.trim();
  // Decoded by the parser (quoted pairs, encoded words): checked again after parsing.
  const problem = controlCharacterProblem(name) ?? controlCharacterProblem(address);
  if (problem) return { problem };
  if (!address) return { problem: `${JSON.stringify(given)} has no address` };
  if (!isDeliverableAddress(address)) {
    return { problem: `${JSON.stringify(address)} is not a valid email address` };
  }
  if (name.length > MAX_NAME_LENGTH) {
    return { problem: `has a name longer than ${MAX_NAME_LENGTH} characters` };
  }
  return { name, address };
}

/**
 * Validates a recipients field (`to`, `replyTo`); every problem is reported with its path,
 * e.g. `to[1]`. Throws InvalidMailAddressError when any entry is wrong.
 */
export function parseMailAddresses(
  field: string,
  input: unknown,
  { required }: { required: boolean },
): MailAddress[] {
  const entries: unknown[] = Array.isArray(input) ? input : input === undefined ? [] : [input];
  const errors: FieldError[] = [];
  const addresses: MailAddress[] = [];
  if (entries.length === 0 && required) {
    errors.push({ path: field, message: 'needs at least one address' });
  }
  if (entries.length > MAX_RECIPIENTS) {
    errors.push({
      path: field,
      message: `holds ${entries.length} addresses; at most ${MAX_RECIPIENTS} per message (send one message per reader)`,
    });
  }
  entries.forEach((entry, index) => {
    const parsed = parseMailAddress(entry);
    if ('problem' in parsed) errors.push({ path: `${field}[${index}]`, message: parsed.problem });
    else addresses.push(parsed);
  });
  if (errors.length > 0) throw new InvalidMailAddressError(errors);
  return addresses;
}

/** Validates several fields at once, so one error lists every wrong address. */
export function parseMailAddressFields<Fields extends string>(
  fields: Record<Fields, { input: unknown; required: boolean }>,
): Record<Fields, MailAddress[]> {
  const result = {} as Record<Fields, MailAddress[]>;
  const errors: FieldError[] = [];
  for (const field of Object.keys(fields) as Fields[]) {
    try {
      result[field] = parseMailAddresses(field, fields[field].input, fields[field]);
    } catch (error) {
      if (!(error instanceof InvalidMailAddressError)) throw error;
      errors.push(...(error.errors ?? []));
    }
  }
  if (errors.length > 0) throw new InvalidMailAddressError(errors);
  return result;
}

/** `Ada Lovelace <ada@example.com>` for people and logs; never used to build headers. */
export function formatMailAddress({ name, address }: MailAddress): string {
  return name ? `${name} <${address}>` : address;
}
