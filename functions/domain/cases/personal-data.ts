import { maskIdNumber, maskName, maskPhone } from '../masking';
import type { Applicant, CaseRecord, Notice } from './model';
import type { FieldChange, TrailEvent } from './trail';

/**
 * Personal data of a case as a reader who may not see it in full (the centre's overview) gets it: the
 * applicant's name, ID number and phone, an enterprise's contact, and every person named in the case's
 * parts (who signed a 容缺 commitment, who collected or signed for the result), in the case, in its
 * notices and in its trail. One place, so a new field cannot be masked in one answer and not another.
 */
export function maskApplicant(applicant: Applicant): Applicant {
  return applicant.kind === 'person'
    ? {
        ...applicant,
        name: maskName(applicant.name),
        idNumber: maskIdNumber(applicant.idNumber),
        phone: maskPhone(applicant.phone),
      }
    : { ...applicant, contactName: maskName(applicant.contactName), phone: maskPhone(applicant.phone) };
}

/** A notice names the applicant (a person's name is masked; an enterprise's is public). */
export function maskNotice(notice: Notice, applicant: Pick<Applicant, 'kind'>): Notice {
  if (applicant.kind !== 'person' || typeof notice.content.applicant !== 'string') return notice;
  return { ...notice, content: { ...notice.content, applicant: maskName(notice.content.applicant) } };
}

export function maskCase<T extends CaseRecord>(record: T): T {
  const { deferrals, issuance } = record;
  return {
    ...record,
    applicant: maskApplicant(record.applicant),
    notices: record.notices.map((notice) => maskNotice(notice, record.applicant)),
    ...(deferrals
      ? {
          deferrals: {
            ...deferrals,
            commitment: { ...deferrals.commitment, signedBy: maskName(deferrals.commitment.signedBy) },
          },
        }
      : {}),
    ...(issuance
      ? {
          issuance: {
            ...issuance,
            ...(issuance.pickup
              ? { pickup: { ...issuance.pickup, collectedBy: maskName(issuance.pickup.collectedBy) } }
              : {}),
            ...(issuance.delivery?.signedBy
              ? { delivery: { ...issuance.delivery, signedBy: maskName(issuance.delivery.signedBy) } }
              : {}),
          },
        }
      : {}),
  };
}

/** Trail fields that hold personal data (the applicant's, recorded when a draft is created or edited). */
export const personalTrailField = /^applicant\.(idNumber|phone|name|contactName)$/;

const hidden = (change: FieldChange): FieldChange => ({
  field: change.field,
  ...(change.old === undefined ? {} : { old: '***' }),
  ...(change.new === undefined ? {} : { new: '***' }),
});

export const maskTrailEvent = (event: TrailEvent): TrailEvent => ({
  ...event,
  changes: event.changes.map((change) => (personalTrailField.test(change.field) ? hidden(change) : change)),
});
