import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { PROJECT_ROOT } from '#src/config/project-paths.js';
import { InvalidMailSubjectError, UnknownMailTemplateError } from '#src/mail/mail.errors.js';

/**
 * Read from the source tree, so the same files serve `dist/` and the tests. A container
 * image must copy this folder next to `dist/` (see docs/jobs-and-mail.md).
 */
export const MAIL_TEMPLATES_DIR = path.join(PROJECT_ROOT, 'src', 'mail', 'templates');
/**
 * Wraps every HTML part: it gets the rendered part as `{{{body}}}` (already escaped), the
 * `subject` and the `publicUrl`.
 */
const LAYOUT_FILE = '_layout.hbs';
const TEMPLATE_NAME = /^[a-z][a-z0-9-]{0,62}$/;

/**
 * What each template's context holds, by template name. A feature that adds a template
 * adds its entry here, so `MailService.send()` checks the name and the context at compile
 * time. Contexts are stored as JSON until the message is sent: use strings, numbers,
 * booleans, null, arrays and plain objects (a Date becomes its ISO string).
 */
export interface MailTemplateContexts {
  'test-email': TestEmailContext;
  'password-reset': PasswordResetMailContext;
  invitation: InvitationMailContext;
  'workflow-task-awaiting-review': WorkflowTaskAwaitingReviewMailContext;
  'workflow-submission-approved': WorkflowSubmissionApprovedMailContext;
  'workflow-changes-requested': WorkflowChangesRequestedMailContext;
  'workflow-published': WorkflowPublishedMailContext;
}

export type MailTemplateName = keyof MailTemplateContexts;

/** `npm run sendtestemail` and the operator's "send a test message". */
export interface TestEmailContext {
  /** Who asked for it: an operator's name, or user@host for the command line. */
  requestedBy: string;
  /** When it was asked for, as ISO 8601. */
  requestedAt: string;
}

/** src/auth: the link to choose a new password. */
export interface PasswordResetMailContext {
  /** The user's name, or their email address when they have no name. */
  name: string;
  /** The admin UI's reset page, with the token in the fragment. */
  resetUrl: string;
  expiresInMinutes: number;
}

/** src/auth: an invitation to join, with the link to choose a password. */
export interface InvitationMailContext {
  /** The invited person's name, or their email address. */
  name: string;
  /** Who invited them: a name or an email address. */
  invitedBy: string;
  /** The admin UI's accept page, with the token in the fragment. */
  acceptUrl: string;
  expiresInDays: number;
}

/**
 * src/workflows/notifications: a page waits for the reader's review. Every text is one line
 * (line breaks and control characters replaced) except `comment`.
 */
export interface WorkflowTaskAwaitingReviewMailContext {
  /** The reader's name, or their email address. */
  name: string;
  pageTitle: string;
  /** The page in the admin UI. */
  pageUrl: string;
  workflowName: string;
  /** The task to review, e.g. "Legal review". */
  taskName: string | null;
  /** Who sent the page on (the submitter, or the approver of the task before); null when unknown. */
  sentBy: string | null;
  /** What they wrote with it. */
  comment: string | null;
}

/** src/workflows/notifications: a task of the reader's submission was approved; more follow. */
export interface WorkflowSubmissionApprovedMailContext {
  name: string;
  pageTitle: string;
  pageUrl: string;
  workflowName: string;
  /** The task that was approved. */
  taskName: string | null;
  approvedBy: string | null;
  comment: string | null;
}

/** src/workflows/notifications: a reviewer sent the reader's submission back. */
export interface WorkflowChangesRequestedMailContext {
  name: string;
  pageTitle: string;
  pageUrl: string;
  workflowName: string;
  /** The task at which the changes were asked for. */
  taskName: string | null;
  requestedBy: string | null;
  /** The reviewer's comment: what to change. May span lines. */
  comment: string;
}

/** src/workflows/notifications: the last approval published (or scheduled) the reader's page. */
export interface WorkflowPublishedMailContext {
  name: string;
  pageTitle: string;
  pageUrl: string;
  workflowName: string;
  /** The last task, the one whose approval published the page. */
  taskName: string | null;
  approvedBy: string | null;
  comment: string | null;
  /** When the page goes live, e.g. "1 May 2026 at 09:00 UTC"; null when it is live already. */
  goLiveAt: string | null;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** Values every template can use as `@publicUrl`, and `@subject` in the text and HTML parts. */
export interface MailTemplateData {
  publicUrl: string;
}

interface CompiledMailTemplate {
  subject: Handlebars.TemplateDelegate;
  text: Handlebars.TemplateDelegate;
  html: Handlebars.TemplateDelegate;
}

/** Prettier's Handlebars printer drops a doctype from `_layout.hbs`, so it is added here. */
const DOCTYPE = '<!doctype html>\n';
/** Without `_layout.hbs` an HTML part is sent as it is. */
const NO_LAYOUT: Handlebars.TemplateDelegate = ({ body }: { body: string }) => body;

const SUBJECT_LINE_BREAK = /[\r\n\u0085\u2028\u2029]/;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const SUBJECT_CONTROL_CHARACTER = /[\u0000-\u0008\u000a-\u001f\u007f]/;
const MAX_SUBJECT_LENGTH = 998;

/**
 * The mail templates, all Handlebars: each folder of `MAIL_TEMPLATES_DIR` holds
 * `subject.txt`, `text.txt` and `html.hbs`, and `_layout.hbs` wraps every HTML part. All
 * are compiled once, when the process starts, so a broken template stops the boot instead
 * of a message later. (The text parts are `.txt` so that Prettier leaves their line breaks
 * alone.)
 *
 * Escaping: the HTML part escapes every `{{value}}` (`{{{value}}}` would not: never use it
 * for data). The subject and text parts are plain text and are not escaped. Data only
 * ever fills in the templates: a value that looks like `{{…}}` is printed as it is, never
 * evaluated.
 */
export class MailTemplates {
  private constructor(
    private readonly templates: ReadonlyMap<string, CompiledMailTemplate>,
    private readonly layout: Handlebars.TemplateDelegate,
    private readonly data: MailTemplateData,
  ) {}

  static load(directory: string, data: MailTemplateData): MailTemplates {
    if (!existsSync(directory)) {
      throw new Error(
        `Mail templates not found in ${directory}. Finch reads them from src/mail/templates at run time: a container image must copy that folder (in the Dockerfile's runtime stage: COPY --from=build /app/src/mail/templates ./src/mail/templates).`,
      );
    }
    // An environment of its own: helpers and partials registered here stay here.
    const handlebars = Handlebars.create();
    const layoutFile = path.join(directory, LAYOUT_FILE);
    const layout = existsSync(layoutFile)
      ? compileFile(handlebars, layoutFile, { noEscape: false })
      : NO_LAYOUT;
    const templates = new Map<string, CompiledMailTemplate>();
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      if (!TEMPLATE_NAME.test(entry.name)) {
        throw new Error(
          `Mail template folder "${entry.name}" in ${directory}: names are lower-case letters, digits and dashes.`,
        );
      }
      const folder = path.join(directory, entry.name);
      const subjectFile = path.join(folder, 'subject.txt');
      const subject = readTemplateFile(subjectFile).trim();
      if (SUBJECT_LINE_BREAK.test(subject)) {
        throw new Error(`${subjectFile} must be a single line: a subject is one header line.`);
      }
      templates.set(entry.name, {
        subject: compile(handlebars, subject, subjectFile, { noEscape: true }),
        text: compileFile(handlebars, path.join(folder, 'text.txt'), { noEscape: true }),
        html: compileFile(handlebars, path.join(folder, 'html.hbs'), { noEscape: false }),
      });
    }
    const loaded = new MailTemplates(templates, layout, data);
    for (const name of loaded.names()) {
      try {
        // Catches what parsing cannot, such as a partial that does not exist.
        loaded.render(name, {});
      } catch (error) {
        throw new Error(`Mail template "${name}" cannot be rendered: ${(error as Error).message}`, {
          cause: error,
        });
      }
    }
    return loaded;
  }

  names(): string[] {
    return [...this.templates.keys()].sort();
  }

  /**
   * Renders the three parts. Throws UnknownMailTemplateError for a name with no folder and
   * InvalidMailSubjectError when the data put a line break or control character into the
   * subject (it would forge headers).
   */
  render(name: string, context: object): RenderedMail {
    const template = this.templates.get(name);
    if (!template) throw new UnknownMailTemplateError(name, this.names());
    const options = (data: object): Handlebars.RuntimeOptions => ({
      data: { ...this.data, ...data },
      // Data is plain JSON: nothing from a prototype is ever looked up (Handlebars' default, kept explicit).
      allowProtoPropertiesByDefault: false,
      allowProtoMethodsByDefault: false,
    });
    const subject = template.subject(context, options({})).trim();
    if (SUBJECT_LINE_BREAK.test(subject)) {
      throw new InvalidMailSubjectError(name, 'contains a line break');
    }
    if (SUBJECT_CONTROL_CHARACTER.test(subject)) {
      throw new InvalidMailSubjectError(name, 'contains a control character');
    }
    if (subject.length > MAX_SUBJECT_LENGTH) {
      throw new InvalidMailSubjectError(name, `is longer than ${MAX_SUBJECT_LENGTH} characters`);
    }
    const body = template.html(context, options({ subject }));
    return {
      subject,
      text: template.text(context, options({ subject })),
      html: DOCTYPE + this.layout({ body, subject, publicUrl: this.data.publicUrl }, options({})),
    };
  }
}

function readTemplateFile(file: string): string {
  if (!existsSync(file)) throw new Error(`Mail template file ${file} is missing.`);
  return readFileSync(file, 'utf8');
}

function compileFile(
  handlebars: typeof Handlebars,
  file: string,
  options: { noEscape: boolean },
): Handlebars.TemplateDelegate {
  return compile(handlebars, readTemplateFile(file), file, options);
}

function compile(
  handlebars: typeof Handlebars,
  source: string,
  where: string,
  options: { noEscape: boolean },
): Handlebars.TemplateDelegate {
  try {
    // compile() is lazy: parse now so a syntax error stops the boot, naming the file.
    handlebars.parse(source);
  } catch (error) {
    throw new Error(`Mail template ${where} does not parse: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return handlebars.compile(source, { ...options, strict: false });
}
