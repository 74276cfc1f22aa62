import type { CaseRecord, Notice } from '../cases/model';

/**
 * What a document says, before any layout: the result document (结果文书), the decision letter and every
 * notice from intake and the back office are built as the same plain data and rendered by one renderer,
 * so the PDF the applicant gets and the data the API shows never disagree.
 */
export interface DocumentContent {
  title: string;
  /** The document's own number (result number or notice number). */
  number: string;
  fields: { label: string; value: string }[];
  paragraphs: string[];
  /** Who issues it and when (YYYY-MM-DD). */
  issuer: string;
  date: string;
  /** Printed at the foot so anyone can check it (results only). */
  verification?: { code: string; how: string };
}

export interface ResultFacts {
  resultName: string;
  resultNumber: string;
  verificationCode: string;
  decisionDate: string;
  validUntil?: string;
  issuer: string;
  /** Where the public check answers, e.g. https://…/results/verify. */
  verifyAt: string;
}

const applicantLine = (record: Pick<CaseRecord, 'applicant'>) =>
  record.applicant.kind === 'person'
    ? record.applicant.name
    : `${record.applicant.name}(统一社会信用代码 ${record.applicant.creditCode})`;

/** What every result states first: its number, who, what, which case and when it was decided. */
const decisionFields = (
  record: Pick<CaseRecord, 'applicant' | 'caseNumber' | 'matter'>,
  facts: ResultFacts,
) => [
  { label: '编号', value: facts.resultNumber },
  { label: '申请人', value: applicantLine(record) },
  { label: '事项', value: record.matter.name },
  { label: '办件编号', value: record.caseNumber ?? '' },
  { label: '决定日期', value: facts.decisionDate },
];

const verificationOf = (facts: ResultFacts) => ({
  code: facts.verificationCode,
  how: `凭编号和验证码在 ${facts.verifyAt} 核验真伪`,
});

/** 准予: the licence, certificate or approval letter named by the matter's result. */
export function approvalDocument(
  record: Pick<CaseRecord, 'applicant' | 'caseNumber' | 'matter'>,
  facts: ResultFacts,
): DocumentContent {
  return {
    title: facts.resultName,
    number: facts.resultNumber,
    fields: [
      ...decisionFields(record, facts),
      ...(facts.validUntil ? [{ label: '有效期至', value: facts.validUntil }] : []),
      { label: '发证机关', value: facts.issuer },
    ],
    paragraphs: [`经审查,申请人的申请符合法定条件、标准,准予${record.matter.name}。`],
    issuer: facts.issuer,
    date: facts.decisionDate,
    verification: verificationOf(facts),
  };
}

/** 不予许可: the decision letter with its reasons and the applicant's remedies. */
export function denialDocument(
  record: Pick<CaseRecord, 'applicant' | 'caseNumber' | 'matter'>,
  facts: ResultFacts & { reasons: string },
): DocumentContent {
  return {
    title: '不予行政许可决定书',
    number: facts.resultNumber,
    fields: [...decisionFields(record, facts)],
    paragraphs: [
      `经审查,你(单位)申请的${record.matter.name}不符合法定条件、标准,决定不予许可。`,
      `理由:${facts.reasons}`,
      '如不服本决定,可以自收到本决定书之日起六十日内依法申请行政复议,或者六个月内依法提起行政诉讼。',
    ],
    issuer: facts.issuer,
    date: facts.decisionDate,
    verification: verificationOf(facts),
  };
}

/** Labels of the notice content keys the use cases write (see decisions.ts and back-office.ts). */
const noticeLabels: Record<string, string> = {
  caseNumber: '办件编号',
  matter: '事项',
  applicant: '申请人',
  promisedCompletionDate: '承诺办结日期',
  reason: '理由',
  reasons: '理由',
  legalBasis: '法律依据',
  remedies: '救济途径',
  round: '补正轮次',
  procedure: '特别程序',
  workingDays: '延长工作日',
  consequence: '逾期后果',
  clock: '时限说明',
  materials: '材料',
};

const lineOf = (value: unknown): string => {
  if (Array.isArray(value)) return value.map(lineOf).join(';');
  if (value !== null && typeof value === 'object')
    return Object.values(value as Record<string, unknown>)
      .filter((v) => v !== undefined)
      .map(lineOf)
      .join(',');
  if (typeof value === 'boolean') return value ? '是' : '否';
  return String(value ?? '');
};

/** A notice as issued (受理, 容缺受理, 不予受理, 补正, 特别程序, 延期, 终止…): its content, labelled. */
export function noticeDocument(notice: Notice, issuer: string): DocumentContent {
  const { title, items, deferredMaterials, provisional, ...rest } = notice.content as Record<string, unknown>;
  const fields = Object.entries(rest)
    .filter(([key, value]) => value !== undefined && key in noticeLabels)
    .map(([key, value]) => ({ label: noticeLabels[key] as string, value: lineOf(value) }));
  const listed = (items ?? deferredMaterials) as Record<string, unknown>[] | undefined;
  return {
    title: String(title ?? notice.type),
    number: notice.number,
    fields: [{ label: '文书编号', value: notice.number }, ...fields],
    paragraphs: [
      ...(listed ?? []).map((item, i) => `${i + 1}. ${lineOf(item)}`),
      ...(provisional === true ? ['(日期所在年度的节假日安排尚未公布,以正式安排为准)'] : []),
    ],
    issuer,
    date: notice.date,
  };
}
