import type { CaseRecord } from './model';

/**
 * The back office (后台审批) of an accepted promised case, as phases the workflow routes by. Every
 * `awaiting-*` phase is a human step the execution waits on with a task token; `closed` ends it.
 *   entrusted window: acceptance → 流转 (handed over) → awaiting-receipt (接件)
 *   dispatched window: the department sits at the window, so the handover and receipt are skipped
 *   awaiting-review (审查) → awaiting-decision (决定) → awaiting-production (制证) → awaiting-return (回送)
 *   → awaiting-issuance (综合窗口出件, the issuance issue) → closed (办结)
 * Pauses: awaiting-supplement (补正 asked by the department) and awaiting-special-procedure (特别程序)
 * return to the phase they interrupted (`backOffice.resumePhase`).
 */
export const casePhases = [
  'awaiting-receipt',
  'awaiting-review',
  'awaiting-supplement',
  'awaiting-special-procedure',
  'awaiting-decision',
  'awaiting-production',
  'awaiting-return',
  'awaiting-issuance',
  /** Sent by courier or made available electronically: waiting for delivery (送达). */
  'awaiting-delivery',
  'closed',
] as const;
export type CasePhase = (typeof casePhases)[number];

export const phaseLabels: Record<CasePhase, string> = {
  'awaiting-receipt': '待接件',
  'awaiting-review': '审查中',
  'awaiting-supplement': '待申请人补正',
  'awaiting-special-procedure': '特别程序中',
  'awaiting-decision': '待决定',
  'awaiting-production': '待制证',
  'awaiting-return': '待回送',
  'awaiting-issuance': '待出件',
  'awaiting-delivery': '待送达',
  closed: '已办结',
};

/** The first phase after acceptance at the window. */
export const phaseAfterAcceptance = (record: Pick<CaseRecord, 'matter'>): CasePhase =>
  record.matter.staffingMode === 'dispatched' ? 'awaiting-review' : 'awaiting-receipt';

/** Phases in which the promised deadline still runs (or is paused): the department has not returned the result. */
export const deadlinePhases: ReadonlySet<CasePhase> = new Set(
  casePhases.filter((phase) => !['awaiting-issuance', 'awaiting-delivery', 'closed'].includes(phase)),
);

/** Where a special procedure or an extension may be started: before the decision is taken. */
export const beforeDecisionPhases: ReadonlySet<CasePhase> = new Set([
  'awaiting-receipt',
  'awaiting-review',
  'awaiting-decision',
]);

export const isOpenPhase = (phase: CasePhase | undefined): boolean =>
  phase !== undefined && phase !== 'closed';
