import type { FieldIssue } from '../../shared/errors';
import type { CaseRecord, Deferral, ReviewCheck } from './model';

/**
 * Whether a case may be accepted as asked. Pure: returns every reason it may not (all at once, so the
 * clerk can tell the applicant in one notice), with the request field each concerns.
 */
export interface AcceptanceInput {
  version: number;
  reviewChecks: ReviewCheck[];
  /** 容缺受理: deferrable materials that may follow, on the applicant's signed commitment. */
  deferred?: { items: Deferral[]; commitment: { statement: string; signedBy: string } };
  /** 即办件: the decision taken at the counter in the same visit. */
  instantDecision?: { outcome: 'approve' | 'deny'; note: string };
}

export function acceptanceIssues(
  record: CaseRecord,
  input: AcceptanceInput,
  promisedDate: string,
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const point of record.matter.reviewPoints) {
    const check = input.reviewChecks.find((c) => c.point === point);
    if (!check) issues.push({ field: 'body.reviewChecks', message: `未核对审查要点: ${point}` });
    else if (!check.passed) issues.push({ field: 'body.reviewChecks', message: `审查要点未通过: ${point}` });
  }

  const deferredIds = new Set<string>();
  input.deferred?.items.forEach((item, i) => {
    const material = record.matter.materials.find((m) => m.id === item.materialId);
    const field = `body.deferred.items.${i}`;
    if (!material) issues.push({ field: `${field}.materialId`, message: '该事项没有这项材料' });
    else if (!material.deferrable || material.keyMaterial) {
      issues.push({ field: `${field}.materialId`, message: `${material.name}不可容缺` });
    } else if (record.materials[material.id]?.status === 'provided') {
      issues.push({ field: `${field}.materialId`, message: `${material.name}已提交,无需容缺` });
    }
    if (item.dueDate > promisedDate) {
      issues.push({ field: `${field}.dueDate`, message: `补交期限不得晚于承诺办结日期 ${promisedDate}` });
    }
    deferredIds.add(item.materialId);
  });

  for (const material of record.matter.materials) {
    const provided = record.materials[material.id]?.status === 'provided';
    if (material.required && !provided && !deferredIds.has(material.id)) {
      issues.push({ field: 'materials', message: `缺少必要材料: ${material.name}` });
    }
  }

  if (record.matter.caseType === 'instant') {
    if (!input.instantDecision)
      issues.push({ field: 'body.instantDecision', message: '即办件须当场作出决定' });
    if (input.deferred) issues.push({ field: 'body.deferred', message: '即办件当场办结,不适用容缺受理' });
  } else if (input.instantDecision) {
    issues.push({ field: 'body.instantDecision', message: '承诺件不能当场办结' });
  }
  return issues;
}
