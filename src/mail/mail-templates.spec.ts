import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { InvalidMailSubjectError, UnknownMailTemplateError } from '#src/mail/mail.errors.js';
import { MAIL_TEMPLATES_DIR, MailTemplates } from '#src/mail/mail-templates.js';

const DATA = { publicUrl: 'https://cms.example.com' };
const SCRIPT = '<script>alert(1)</script>';

/** A templates folder of its own: `files` maps `name/file` to its source. */
function templatesFolder(files: Record<string, string>): string {
  const directory = mkdtempSync(path.join(tmpdir(), 'finch-mail-templates-'));
  folders.push(directory);
  for (const [file, source] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(directory, file)), { recursive: true });
    writeFileSync(path.join(directory, file), source);
  }
  return directory;
}
const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

const GREETING = {
  'greeting/subject.txt': 'Hello {{name}}\n',
  'greeting/text.txt': 'Hello {{name}},\n\nsee {{@publicUrl}} ({{@subject}})\n',
  'greeting/html.hbs': '<p>Hello {{name}}, see <a href="{{@publicUrl}}">{{@subject}}</a></p>',
};

describe('mail templates', () => {
  it('ships test-email, rendered with a layout, the public URL and the data', () => {
    const templates = MailTemplates.load(MAIL_TEMPLATES_DIR, DATA);
    expect(templates.names()).toContain('test-email');
    const mail = templates.render('test-email', {
      requestedBy: 'Ada',
      requestedAt: '2026-01-02T03:04:05.000Z',
    });
    expect(mail.subject).toBe('Test message from Finch, requested by Ada');
    expect(mail.text).toContain('requested by Ada at 2026-01-02T03:04:05.000Z');
    expect(mail.text).toContain('https://cms.example.com');
    expect(mail.html.startsWith('<!doctype html>\n<html')).toBe(true);
    expect(mail.html).toContain('<title>Test message from Finch, requested by Ada</title>');
    expect(mail.html).toContain('<strong>Ada</strong>');
    expect(mail.html).toContain("href='https://cms.example.com'");
  });

  it('escapes data in the HTML part, and leaves the text part and the subject as they are', () => {
    const templates = MailTemplates.load(MAIL_TEMPLATES_DIR, DATA);
    const mail = templates.render('test-email', {
      requestedBy: `Eve ${SCRIPT} & "Co" 'x'`,
      requestedAt: 'now',
    });
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain(
      'Eve &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot; &#x27;x&#x27;',
    );
    expect(mail.text).toContain(`requested by Eve ${SCRIPT} & "Co" 'x' at now`);
    expect(mail.subject).toBe(`Test message from Finch, requested by Eve ${SCRIPT} & "Co" 'x'`);
  });

  it('never evaluates data as a template', () => {
    const templates = MailTemplates.load(templatesFolder(GREETING), DATA);
    const sneaky = '{{@publicUrl}} {{#each this}}x{{/each}} {{{raw}}}';
    const mail = templates.render('greeting', { name: sneaky, raw: '<b>' });
    expect(mail.subject).toBe(`Hello ${sneaky}`);
    expect(mail.text).toContain(`Hello ${sneaky},`);
    expect(mail.html).toContain('Hello {{@publicUrl}} {{#each this}}x{{/each}} {{{raw}}},');
  });

  it('reads own properties of the data, never its prototypes', () => {
    const templates = MailTemplates.load(
      templatesFolder({
        ...GREETING,
        'greeting/text.txt': '[{{name.constructor}}][{{__proto__}}][{{name.length}}]',
      }),
      DATA,
    );
    expect(templates.render('greeting', { name: 'Ada' }).text).toBe('[][][3]');
  });

  it.each([
    ['a CR LF', 'Ada\r\nBcc: mallory@example.com', 'contains a line break'],
    ['a bare LF', 'Ada\nBcc: mallory@example.com', 'contains a line break'],
    ['a bare CR', 'Ada\rBcc: mallory@example.com', 'contains a line break'],
    ['a Unicode line separator', 'Ada\u2028x', 'contains a line break'],
    ['a NUL', 'Ada\u0000', 'contains a control character'],
  ])('refuses a subject that %s in the data would break', (_what, name, reason) => {
    const templates = MailTemplates.load(templatesFolder(GREETING), DATA);
    let thrown: unknown;
    try {
      templates.render('greeting', { name });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidMailSubjectError);
    expect((thrown as InvalidMailSubjectError).status).toBe(400);
    expect((thrown as InvalidMailSubjectError).slug).toBe('invalid-mail-subject');
    expect((thrown as InvalidMailSubjectError).errors).toEqual([
      { path: 'subject', message: reason },
    ]);
  });

  it('allows line breaks from the data in the text and HTML parts', () => {
    const templates = MailTemplates.load(
      templatesFolder({ ...GREETING, 'greeting/subject.txt': 'Hello' }),
      DATA,
    );
    expect(templates.render('greeting', { name: 'Ada\nLovelace' }).text).toContain('Ada\nLovelace');
  });

  it('refuses a template name it does not know', () => {
    const templates = MailTemplates.load(templatesFolder(GREETING), DATA);
    expect(() => templates.render('farewell', {})).toThrow(UnknownMailTemplateError);
    expect(() => templates.render('farewell', {})).toThrow('known: greeting');
  });

  it('compiles every template once, at load, and reports a broken one by its file', () => {
    expect(() =>
      MailTemplates.load(
        templatesFolder({ ...GREETING, 'greeting/html.hbs': '<p>{{#if x}}</p>' }),
        DATA,
      ),
    ).toThrow(/greeting\/html\.hbs does not parse/);
    expect(() =>
      MailTemplates.load(
        templatesFolder({ ...GREETING, 'greeting/html.hbs': '{{> missing}}' }),
        DATA,
      ),
    ).toThrow(/"greeting" cannot be rendered/);
    const withoutText: Record<string, string> = { ...GREETING };
    delete withoutText['greeting/text.txt'];
    expect(() => MailTemplates.load(templatesFolder(withoutText), DATA)).toThrow(
      /greeting\/text\.txt is missing/,
    );
    expect(() =>
      MailTemplates.load(
        templatesFolder({ ...GREETING, 'greeting/subject.txt': 'Hi\n{{name}}' }),
        DATA,
      ),
    ).toThrow(/subject\.txt must be a single line/);
    expect(() =>
      MailTemplates.load(templatesFolder({ ...GREETING, 'Bad_Name/subject.txt': 'x' }), DATA),
    ).toThrow(/lower-case letters, digits and dashes/);
  });

  it('says where the templates should be when the folder is missing', () => {
    expect(() => MailTemplates.load('/nonexistent/finch/templates', DATA)).toThrow(
      /Mail templates not found in \/nonexistent\/finch\/templates.*COPY --from=build \/app\/src\/mail\/templates \.\/src\/mail\/templates/,
    );
  });

  it('wraps the HTML part in _layout.hbs when there is one', () => {
    const templates = MailTemplates.load(
      templatesFolder({
        ...GREETING,
        '_layout.hbs': '<main data-subject="{{subject}}">{{{body}}}</main>',
      }),
      DATA,
    );
    const { html } = templates.render('greeting', { name: '<i>Ada</i>' });
    expect(html).toBe(
      '<!doctype html>\n<main data-subject="Hello &lt;i&gt;Ada&lt;/i&gt;"><p>Hello &lt;i&gt;Ada&lt;/i&gt;, see <a href="https://cms.example.com">Hello &lt;i&gt;Ada&lt;/i&gt;</a></p></main>',
    );
  });
});
