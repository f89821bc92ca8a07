import { describe, expect, it } from '@jest/globals';
import {
  adminPageUrl,
  formatGoLiveAt,
  type NotificationCandidate,
  selectNotificationRecipients,
  singleLine,
  type WorkflowNotificationEvent,
  workflowMail,
} from '#src/workflows/notifications/workflow-notifications.js';

function candidate(
  id: string,
  overrides: Partial<NotificationCandidate> = {},
): NotificationCandidate {
  return { id, email: `${id}@example.com`, name: id, isActive: true, enabled: null, ...overrides };
}

const EVENT: WorkflowNotificationEvent = {
  kind: 'task_awaiting_review',
  recipientIds: [],
  actorId: null,
  page: { id: '6f1c2b9e-0d4a-4c1e-9b7a-2f3e4d5c6b7a', title: 'Hello world' },
  workflowName: 'Standard',
  taskName: 'Legal review',
  comment: null,
  goLiveAt: null,
};

const ids = (selected: NotificationCandidate[]) => selected.map((recipient) => recipient.id);

describe('selectNotificationRecipients', () => {
  it('keeps every active recipient who did not turn the kind off, in the order named', () => {
    const candidates = [
      candidate('carol'),
      candidate('alice'),
      candidate('bob', { enabled: true }),
    ];
    expect(
      ids(
        selectNotificationRecipients(
          { recipientIds: ['bob', 'alice', 'carol'], actorId: null },
          candidates,
        ),
      ),
    ).toEqual(['bob', 'alice', 'carol']);
  });

  it('never notifies the actor of their own action', () => {
    const candidates = [candidate('alice'), candidate('bob')];
    expect(
      ids(
        selectNotificationRecipients(
          { recipientIds: ['alice', 'bob'], actorId: 'alice' },
          candidates,
        ),
      ),
    ).toEqual(['bob']);
  });

  it('drops inactive users', () => {
    const candidates = [candidate('alice', { isActive: false }), candidate('bob')];
    expect(
      ids(
        selectNotificationRecipients({ recipientIds: ['alice', 'bob'], actorId: null }, candidates),
      ),
    ).toEqual(['bob']);
  });

  it('sends one message per person when a recipient is named several times', () => {
    const candidates = [candidate('alice'), candidate('bob')];
    expect(
      ids(
        selectNotificationRecipients(
          { recipientIds: ['alice', 'bob', 'alice', 'bob', 'alice'], actorId: null },
          candidates,
        ),
      ),
    ).toEqual(['alice', 'bob']);
  });

  it('drops those who turned the kind off, and keeps those who never chose', () => {
    const candidates = [
      candidate('alice', { enabled: false }),
      candidate('bob', { enabled: null }),
      candidate('carol', { enabled: true }),
    ];
    expect(
      ids(
        selectNotificationRecipients(
          { recipientIds: ['alice', 'bob', 'carol'], actorId: null },
          candidates,
        ),
      ),
    ).toEqual(['bob', 'carol']);
  });

  it('drops recipients that were not found (deleted users)', () => {
    expect(
      ids(
        selectNotificationRecipients({ recipientIds: ['ghost', 'bob'], actorId: null }, [
          candidate('bob'),
        ]),
      ),
    ).toEqual(['bob']);
  });

  it('notifies nobody when the actor is the only recipient', () => {
    expect(
      selectNotificationRecipients({ recipientIds: ['alice', 'alice'], actorId: 'alice' }, [
        candidate('alice'),
      ]),
    ).toEqual([]);
  });
});

describe('workflowMail', () => {
  const PUBLIC_URL = 'https://cms.example.com';

  it('picks the template of each kind and links to the page in the admin UI', () => {
    const templates = (
      ['task_awaiting_review', 'submission_approved', 'changes_requested', 'published'] as const
    ).map((kind) => workflowMail({ ...EVENT, kind, comment: 'ok' }, 'Ada', 'Bob', PUBLIC_URL));
    expect(templates.map((mail) => mail.template)).toEqual([
      'workflow-task-awaiting-review',
      'workflow-submission-approved',
      'workflow-changes-requested',
      'workflow-published',
    ]);
    for (const mail of templates) {
      expect(mail.context.pageUrl).toBe(`${PUBLIC_URL}/admin/pages/${EVENT.page.id}/`);
      expect(mail.context).toMatchObject({
        name: 'Ada',
        pageTitle: 'Hello world',
        workflowName: 'Standard',
        taskName: 'Legal review',
      });
    }
  });

  it('names the actor in the role each message gives them', () => {
    expect(workflowMail(EVENT, 'Ada', 'Bob', PUBLIC_URL).context).toMatchObject({ sentBy: 'Bob' });
    expect(
      workflowMail({ ...EVENT, kind: 'submission_approved' }, 'Ada', 'Bob', PUBLIC_URL).context,
    ).toMatchObject({ approvedBy: 'Bob' });
    expect(
      workflowMail(
        { ...EVENT, kind: 'changes_requested', comment: 'Fix it' },
        'Ada',
        'Bob',
        PUBLIC_URL,
      ).context,
    ).toMatchObject({ requestedBy: 'Bob', comment: 'Fix it' });
    expect(
      workflowMail({ ...EVENT, kind: 'published' }, 'Ada', null, PUBLIC_URL).context,
    ).toMatchObject({ approvedBy: null, goLiveAt: null });
  });

  it('makes titles and names one line, and keeps the comment as written', () => {
    const mail = workflowMail(
      {
        ...EVENT,
        kind: 'changes_requested',
        page: { id: EVENT.page.id, title: 'Hello\r\nBcc: mallory@example.com' },
        workflowName: 'Std\u2028flow',
        taskName: 'Legal\u0000review',
        comment: 'Line one\nLine two',
      },
      'Ada\nLovelace',
      'Bob\tSmith',
      PUBLIC_URL,
    );
    expect(mail.context).toMatchObject({
      name: 'Ada Lovelace',
      pageTitle: 'Hello Bcc: mallory@example.com',
      workflowName: 'Std flow',
      taskName: 'Legal review',
      requestedBy: 'Bob Smith',
      comment: 'Line one\nLine two',
    });
  });

  it('says when a scheduled page goes live, in UTC', () => {
    const mail = workflowMail(
      { ...EVENT, kind: 'published', goLiveAt: '2026-05-01T09:00:00.000Z' },
      'Ada',
      'Bob',
      PUBLIC_URL,
    );
    expect(mail.context).toMatchObject({ goLiveAt: '1 May 2026 at 09:00 UTC' });
  });

  it('treats a blank comment as none', () => {
    expect(
      workflowMail({ ...EVENT, comment: '  \n ' }, 'Ada', 'Bob', PUBLIC_URL).context,
    ).toMatchObject({ comment: null });
  });
});

describe('singleLine, formatGoLiveAt and adminPageUrl', () => {
  it('replaces each run of line breaks and control characters with one space', () => {
    expect(singleLine(' a\r\n\r\nb\u0085c\u2029d\u007fe ')).toBe('a b c d e');
  });

  it('leaves a date it cannot read as it is', () => {
    expect(formatGoLiveAt('soon')).toBe('soon');
  });

  it('builds the admin page URL with a trailing slash', () => {
    expect(adminPageUrl('http://localhost:3000', 'abc')).toBe(
      'http://localhost:3000/admin/pages/abc/',
    );
  });
});
