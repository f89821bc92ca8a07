import type { ContentKind } from '#src/content-types/content-type-definition.js';
import {
  type CountedChange,
  describeCounts,
  type SchemaPlan,
  type TypePlan,
} from '#src/schema-files/schema-files.service.js';

const SYMBOL: Record<TypePlan['action'], string> = {
  create: '+',
  update: '~',
  remove: '-',
  unchanged: '=',
};

function changeLine(change: CountedChange, kind: ContentKind, allowed: boolean): string {
  const counts = describeCounts(change.objects, change.revisions, kind);
  const touched = change.objects + change.revisions > 0;
  let effect: string;
  if (change.kind === 'added') effect = '';
  else if (change.rewrites) effect = touched ? `rewrites ${counts}` : 'no stored values to rewrite';
  else if (change.dropsData && touched) {
    effect = allowed
      ? `DROPS the values in ${counts} (allowed)`
      : `would DROP the values in ${counts}: needs --allow-data-loss ${change.name}`;
  } else if (change.dropsData) effect = 'no stored values';
  else if (change.mayNotFit && touched) {
    effect = allowed
      ? `${counts} hold values that may no longer fit (allowed: kept as they are, checked on their next save)`
      : `${counts} hold values that may no longer fit: needs --allow-data-loss ${change.name}`;
  } else if (change.mayNotFit) effect = 'no stored values';
  else effect = touched ? `${counts} hold values` : '';
  return `      ${change.detail}${effect ? ` — ${effect}` : ''}`;
}

function typeLines(type: TypePlan, allowed: ReadonlySet<string>): string[] {
  const noun = `${type.kind} type`;
  switch (type.action) {
    case 'create':
      return [`  + ${type.key}: new ${noun}`];
    case 'unchanged':
      return [`  = ${type.key}: unchanged (version ${type.version})`];
    case 'remove':
      return [
        `  - ${type.key}: ${noun} left out of the file, to be removed` +
          (type.objects > 0
            ? ` — but ${describeCounts(type.objects, type.revisions, type.kind)} of it exist`
            : ''),
      ];
    case 'update':
      return [
        `  ${SYMBOL.update} ${type.key}: ${noun}, version ${type.version} → ${(type.version ?? 0) + 1}`,
        ...type.changes.map((change) => changeLine(change, type.kind, allowed.has(change.name))),
        ...(type.settings.length > 0
          ? [`      settings changed: ${type.settings.join(', ')}`]
          : []),
      ];
  }
}

/** True when applying the plan would change nothing. */
export function planIsEmpty(plan: SchemaPlan): boolean {
  return plan.types.every((type) => type.action === 'unchanged');
}

/**
 * The plan as people read it: one block per content type (+ new, ~ changed, - removed,
 * = unchanged), each field change with the stored pages/snippets and revisions it touches,
 * then a summary line.
 */
export function formatPlan(plan: SchemaPlan, allowed: ReadonlySet<string> = new Set()): string {
  const lines = plan.types.flatMap((type) => typeLines(type, allowed));
  const count = (action: TypePlan['action']) =>
    plan.types.filter((type) => type.action === action).length;
  lines.push(
    '',
    `${count('create')} to create, ${count('update')} to change, ${count('remove')} to remove, ${count('unchanged')} unchanged.`,
  );
  return `${lines.join('\n')}\n`;
}

/** What to run next, after a diff. */
export function nextStep(plan: SchemaPlan, file: string): string {
  if (plan.blocked.length > 0) {
    return `Cannot be applied as it is:\n${plan.blocked.map((reason) => `  ${reason}`).join('\n')}\n`;
  }
  if (planIsEmpty(plan)) return 'The database already matches the file: nothing to apply.\n';
  const losses = plan.dataLoss.map((loss) => loss.name);
  const allow = losses.length > 0 ? ` --allow-data-loss ${losses.join(',')}` : '';
  const warning =
    losses.length > 0
      ? `Applying can lose stored data (${losses.join(', ')}); it is refused unless --allow-data-loss names each one.\n`
      : '';
  return `${warning}Apply with: npm run finch -- schema apply ${file}${allow}\n`;
}
