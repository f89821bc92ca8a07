import {
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  type Relation,
} from 'typeorm';
import { Page } from '#src/pages/page.entity.js';
import { Workflow } from '#src/workflows/workflow.entity.js';

/** A workflow assigned to a page: it holds for the page's subtree, nearest assignment first. */
@Entity('workflow_pages')
@Index('IDX_workflow_pages_workflow', ['workflowId'])
export class WorkflowPage {
  @PrimaryColumn({ name: 'page_id', type: 'uuid' })
  pageId: string;

  @Column({ name: 'workflow_id', type: 'uuid' })
  workflowId: string;

  @ManyToOne(() => Page, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'page_id' })
  page?: Relation<Page>;

  @ManyToOne(() => Workflow, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workflow_id' })
  workflow?: Relation<Workflow>;
}
