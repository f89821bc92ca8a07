import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';
import { IfGiven } from '#src/http/validation.js';

/**
 * `PUT /api/admin/me/notification-preferences`: the kinds to set, each true (send) or false
 * (do not); kinds left out keep their setting. Any other property is refused.
 */
export class UpdateNotificationPreferencesDto {
  /** A page waits for my review. */
  @IfGiven()
  @IsBoolean({ message: 'task_awaiting_review must be true or false' })
  @ApiPropertyOptional({ type: Boolean, description: 'A page waits for my review.' })
  task_awaiting_review?: boolean;

  /** A reviewer approved one task of a page I submitted. */
  @IfGiven()
  @IsBoolean({ message: 'submission_approved must be true or false' })
  @ApiPropertyOptional({
    type: Boolean,
    description: 'A reviewer approved one task of a page I submitted.',
  })
  submission_approved?: boolean;

  /** A reviewer sent a page I submitted back with changes to make. */
  @IfGiven()
  @IsBoolean({ message: 'changes_requested must be true or false' })
  @ApiPropertyOptional({
    type: Boolean,
    description: 'A reviewer sent a page I submitted back with changes to make.',
  })
  changes_requested?: boolean;

  /** The last approval published (or scheduled) a page I submitted. */
  @IfGiven()
  @IsBoolean({ message: 'published must be true or false' })
  @ApiPropertyOptional({
    type: Boolean,
    description: 'The last approval published (or scheduled) a page I submitted.',
  })
  published?: boolean;
}
