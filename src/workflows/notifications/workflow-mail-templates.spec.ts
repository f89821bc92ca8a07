import { describe, expect, it } from '@jest/globals';
import { MAIL_TEMPLATES_DIR, MailTemplates } from '#src/mail/mail-templates.js';
import {
  WORKFLOW_NOTIFICATION_KINDS,
  type WorkflowNotificationEvent,
  workflowMail,
} from '#src/workflows/notifications/workflow-notifications.js';

const PUBLIC_URL = 'https://cms.example.com';
const PAGE_ID = '6f1c2b9e-0d4a-4c1e-9b7a-2f3e4d5c6b7a';
const PAGE_URL = `${PUBLIC_URL}/admin/pages/${PAGE_ID}/`;
const SCRIPT = '<script>alert(1)</script>';

const templates = MailTemplates.load(MAIL_TEMPLATES_DIR, { publicUrl: PUBLIC_URL });

function event(overrides: Partial<WorkflowNotificationEvent> = {}): WorkflowNotificationEvent {
  return {
    kind: 'task_awaiting_review',
    recipientIds: [],
    actorId: null,
    page: { id: PAGE_ID, title: 'Hello world' },
    workflowName: 'Standard',
    taskName: 'Legal review',
    comment: 'Please check the second paragraph.',
    goLiveAt: null,
    ...overrides,
  };
}

function render(overrides: Partial<WorkflowNotificationEvent>, actorName: string | null = 'Bob') {
  const { template, context } = workflowMail(event(overrides), 'Ada', actorName, PUBLIC_URL);
  // As MailService stores it until the worker renders it.
  return templates.render(template, JSON.parse(JSON.stringify(context)) as object);
}

describe('workflow mail templates', () => {
  it.each([
    ['task_awaiting_review', 'Review requested: "Hello world" (Legal review)'],
    ['submission_approved', 'Approved: "Hello world" (Legal review)'],
    ['changes_requested', 'Changes requested: "Hello world" (Legal review)'],
    ['published', 'Published: "Hello world"'],
  ] as const)('%s: the subject says what happened to which page', (kind, subject) => {
    const mail = render({ kind });
    expect(mail.subject).toBe(subject);
    expect(mail.html).toContain(`<title>${subject.replaceAll('"', '&quot;')}</title>`);
  });

  it.each(WORKFLOW_NOTIFICATION_KINDS)(
    '%s: greets the reader, names the workflow and links to the page in both parts',
    (kind) => {
      const mail = render({ kind });
      expect(mail.text).toMatch(/^Hello Ada,\n/);
      expect(mail.text).toContain('(Standard workflow)');
      expect(mail.text).toContain(`\n${PAGE_URL}\n`);
      expect(mail.text).toContain('Bob');
      expect(mail.text).not.toMatch(/\n{3}/);
      expect(mail.html).toContain(`href='${PAGE_URL}'`);
      expect(mail.html).toContain('Hello Ada,');
      expect(mail.html).toContain('Bob');
    },
  );

  it('says what to do next in each message', () => {
    expect(render({ kind: 'task_awaiting_review' }).text).toContain(
      'Open the page, review it, then approve it or request changes:',
    );
    expect(render({ kind: 'submission_approved' }).text).toContain(
      'There is nothing for you to do',
    );
    expect(render({ kind: 'changes_requested' }).text).toContain(
      'Edit the page, then resubmit it for review:',
    );
    expect(render({ kind: 'published' }).text).toContain('It is live now.');
  });

  it('quotes the reviewer comment of a changes_requested message, line breaks and all', () => {
    const mail = render({ kind: 'changes_requested', comment: 'Fix the intro.\nAnd the title.' });
    expect(mail.text).toContain('asked for changes to "Hello world" at Legal review');
    expect(mail.text).toContain('\n\nFix the intro.\nAnd the title.\n\n');
    expect(mail.html).toMatch(
      /<blockquote[^>]*white-space: pre-wrap;[^>]*>Fix the intro.\nAnd the title.<\/blockquote>/,
    );
  });

  it('escapes the comment, the title and names in the HTML part', () => {
    const mail = render(
      {
        kind: 'changes_requested',
        page: { id: PAGE_ID, title: `Title ${SCRIPT}` },
        taskName: `<b>Legal</b>`,
        comment: `Comment ${SCRIPT} & "quotes"`,
      },
      `<img src=x onerror=alert(1)>`,
    );
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).not.toContain('<img');
    expect(mail.html).not.toContain('<b>Legal');
    expect(mail.html).toContain(
      'Comment &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;',
    );
    expect(mail.html).toContain('Title &lt;script&gt;');
    // Plain text is plain: nothing to escape.
    expect(mail.text).toContain(`Comment ${SCRIPT} & "quotes"`);
  });

  it('keeps the subject one line when the page title and task name hold line breaks', () => {
    for (const kind of WORKFLOW_NOTIFICATION_KINDS) {
      const mail = render({
        kind,
        page: { id: PAGE_ID, title: 'Hello\r\nBcc: mallory@example.com' },
        taskName: 'Legal\nreview',
      });
      expect(mail.subject).not.toMatch(/[\r\n]/);
      expect(mail.subject).toContain('"Hello Bcc: mallory@example.com"');
    }
  });

  it('leaves out what the event does not say: no comment, no task, no actor', () => {
    const mail = render({ kind: 'task_awaiting_review', comment: null, taskName: null }, null);
    expect(mail.subject).toBe('Review requested: "Hello world"');
    expect(mail.text).not.toContain('comment');
    expect(mail.text).not.toContain(' at ');
    expect(mail.text).toContain('"Hello world" is waiting for your review (Standard workflow).\n');
    expect(mail.html).not.toContain('<blockquote');
  });

  it('tells the submitter when a scheduled page goes live', () => {
    const mail = render({ kind: 'published', goLiveAt: '2026-05-01T09:00:00Z' });
    expect(mail.subject).toBe('Scheduled: "Hello world" goes live on 1 May 2026 at 09:00 UTC');
    expect(mail.text).toContain('It goes live on 1 May 2026 at 09:00 UTC.');
    expect(mail.text).toContain('To change when it goes live, open the page:');
    expect(mail.html).toContain('It goes live on 1 May 2026 at 09:00 UTC.');
    expect(mail.text).not.toContain('live now');
  });
});
