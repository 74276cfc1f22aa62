import type { FieldIssue } from '../../shared/errors';
import type { implementerNatures, ServiceGuideContent, WindowAssignment } from './model';

/**
 * Rules of a service guide that a schema alone cannot say. Pure: they return the offending fields
 * (paths relative to the guide) and the caller decides how to answer.
 */
export function serviceGuideIssues(guide: ServiceGuideContent): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (guide.promisedLimit.value > guide.statutoryLimit.value) {
    issues.push({ field: 'promisedLimit.value', message: '承诺时限不得超过法定时限' });
  }
  if (guide.caseType === 'instant' && guide.promisedLimit.value !== 0) {
    issues.push({ field: 'promisedLimit.value', message: '即办件当场办结,承诺时限应为 0 个工作日' });
  }
  if (guide.caseType === 'promised' && guide.promisedLimit.value < 1) {
    issues.push({ field: 'promisedLimit.value', message: '承诺件的承诺时限至少为 1 个工作日' });
  }
  const seen = new Set<string>();
  guide.materials.forEach((material, index) => {
    if (seen.has(material.id)) issues.push({ field: `materials.${index}.id`, message: '材料编号重复' });
    seen.add(material.id);
    if (material.deferrable && material.keyMaterial) {
      issues.push({ field: `materials.${index}.deferrable`, message: '关键材料不能容缺' });
    }
    if (material.deferrable && !material.required) {
      issues.push({ field: `materials.${index}.deferrable`, message: '非必需材料无需容缺' });
    }
    if (material.originals + material.copies === 0) {
      issues.push({ field: `materials.${index}.copies`, message: '原件与复印件份数不能同时为 0' });
    }
  });
  if (guide.caseType === 'instant' && guide.materials.some((m) => m.deferrable)) {
    issues.push({ field: 'materials', message: '即办件当场办结,不适用容缺受理' });
  }
  return issues;
}

export type ImplementerNature = (typeof implementerNatures)[number];

/** 受委托组织 when the window accepts on the department's behalf; the department itself otherwise. */
export const implementerNatureOf = (assignment: WindowAssignment | undefined): ImplementerNature =>
  assignment?.staffingMode === 'entrusted' ? 'entrusted-organisation' : 'statutory-authority';
