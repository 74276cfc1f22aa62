import type { workingHoursClock } from '../calendar/working-hours';
import { shanghaiDate } from '../calendar-date';
import type { AlertAudience, AlertKind, AlertLevel } from '../cases/alerts';
import type { MaterialContentType } from '../cases/model';
import { text } from '../catalogue/model';
import { hasRole, type Principal } from '../principal';

/**
 * A consultation (咨询件) between the comprehensive window and a department, or from an applicant on the
 * portal to the window. The policy gives the window three jobs for the departments that entrust it
 * (受理、发证、咨询) and obliges the department's chief representative to answer "随叫随到或…通过电话、网络等
 * 形式提供咨询服务及时跟进办理": each consultation has an addressee who must answer within the department's
 * response limit, counted in office hours (办公时间), and alerts when it does not.
 *
 *   open ──answer──▶ answered ──close (asker)──▶ closed
 *     ▲                 │
 *     └──follow-up (asker): a new round, a new due time
 *
 * A portal consultation is addressed to the window that handles the matter; the window answers it or
 * forwards it to the department (a new due time from the forwarding). Within the department it may be
 * reassigned to another of its staff.
 */
export const consultationStatuses = ['open', 'answered', 'closed'] as const;
export type ConsultationStatus = (typeof consultationStatuses)[number];

export const defaultConsultationHours = 4;

/** A question or an answer: the catalogue's free text (trimmed, not empty), up to 2,000 characters. */
export const consultationText = text(2000).min(2, '至少 2 个字');

export interface ConsultationMessage {
  kind: 'question' | 'answer' | 'follow-up' | 'forward';
  text: string;
  by: string;
  role: string;
  at: string;
}

/** A file attached by a party (the same checked upload as a case's materials). */
export interface ConsultationAttachment {
  attachmentId: string;
  fileName: string;
  contentType: MaterialContentType;
  size: number;
  sha256: string;
  /** The checked copy (no upload URL points to it) and its S3 version where the bucket keeps versions. */
  key: string;
  versionId?: string;
  by: string;
  role: string;
  at: string;
}

/** Files per consultation: a question's evidence, not a case's materials. */
export const maxConsultationAttachments = 10;

export interface Consultation {
  consultationId: string;
  /** 咨询件编号, e.g. ZX20261202-3F9A1C07. */
  number: string;
  matterCode: string;
  matterName: string;
  caseId?: string;
  departmentId: string;
  /** The window that handles the matter (it answers the portal's questions and sees its clerks' ones). */
  windowId: string;
  askedBy: { userId: string; role: 'clerk' | 'applicant' };
  channel: 'counter' | 'online';
  /** Who must answer now. */
  addressee: 'window' | 'department';
  /** The department's staff member it is assigned to, if any. */
  assigneeId?: string;
  status: ConsultationStatus;
  /** The response limit in office hours (the department's, default 4). */
  limitHours: number;
  /** 1, then one more for each follow-up or forwarding. */
  round: number;
  roundStartedAt: string;
  dueAt: string;
  raisedAt: string;
  answeredAt?: string;
  closedAt?: string;
  messages: ConsultationMessage[];
  attachments: ConsultationAttachment[];
  /** Alerts raised so far (ids), so a timer run raises each once. */
  raisedAlertIds: string[];
  /** When the next alert of the open round is due (the timer's list is sorted by it); none when closed. */
  nextAlertAt?: string;
  version: number;
}

export class ConsultationRuleError extends Error {
  override readonly name = 'ConsultationRuleError';
  constructor(
    message: string,
    readonly kind: 'forbidden' | 'conflict',
  ) {
    super(message);
  }
}

const forbidden = (message: string) => new ConsultationRuleError(message, 'forbidden');
const conflict = (message: string) => new ConsultationRuleError(message, 'conflict');

type HoursClock = Pick<ReturnType<typeof workingHoursClock>, 'addWorkingHours'>;

/** The due instant of a round started at `startedAt`. */
export const dueAfter = (clock: HoursClock, startedAt: string, limitHours: number): string =>
  new Date(clock.addWorkingHours(Date.parse(startedAt), limitHours).at).toISOString();

export const consultationNumber = (consultationId: string, atMs: number): string =>
  `ZX${shanghaiDate(atMs).replaceAll('-', '')}-${consultationId.replaceAll('-', '').slice(0, 8).toUpperCase()}`;

const isStaffOf = (principal: Principal, departmentId: string) =>
  (hasRole(principal, 'reviewer') || hasRole(principal, 'chief')) && principal.departmentId === departmentId;
const isClerkOf = (principal: Principal, windowId: string) =>
  hasRole(principal, 'clerk') && principal.windowId === windowId;
const isAsker = (principal: Principal, c: Consultation) => principal.userId === c.askedBy.userId;

/** Who may read it: the asker, the window, the department, the centre admin. */
export function canSee(principal: Principal, c: Consultation): boolean {
  return (
    hasRole(principal, 'admin') ||
    isAsker(principal, c) ||
    isClerkOf(principal, c.windowId) ||
    isStaffOf(principal, c.departmentId)
  );
}

/** Who may answer now: the addressee (the window's clerks, or the department's staff; the chief always). */
export function canAnswer(principal: Principal, c: Consultation): boolean {
  if (c.addressee === 'window') return isClerkOf(principal, c.windowId);
  if (!isStaffOf(principal, c.departmentId)) return false;
  return !c.assigneeId || c.assigneeId === principal.userId || hasRole(principal, 'chief');
}

/** Who wrote a message or attached a file: the person and the role they act in here. */
const authorOf = (principal: Principal) => ({
  by: principal.userId,
  role: principal.roles.find((r) => r !== 'admin') ?? principal.roles[0] ?? 'unknown',
});

const message = (kind: ConsultationMessage['kind'], text: string, principal: Principal, at: string) => ({
  kind,
  text,
  ...authorOf(principal),
  at,
});

export function answer(c: Consultation, principal: Principal, text: string, at: string): Consultation {
  if (c.status !== 'open') throw conflict('该咨询件不在待答复状态');
  if (!canAnswer(principal, c))
    throw forbidden(
      c.addressee === 'window'
        ? '只有受理该事项的窗口可以答复'
        : '只有被指派的属事单位人员或首席代表可以答复',
    );
  return {
    ...c,
    status: 'answered',
    answeredAt: at,
    messages: [...c.messages, message('answer', text, principal, at)],
  };
}

/** The window hands a portal question to the department: a new round with the department's limit. */
export function forward(
  c: Consultation,
  principal: Principal,
  note: string | undefined,
  at: string,
  clock: HoursClock,
): Consultation {
  if (c.status !== 'open' || c.addressee !== 'window')
    throw conflict('只有待窗口答复的咨询件可以转交属事单位');
  if (!isClerkOf(principal, c.windowId)) throw forbidden('只有受理该事项的窗口可以转交');
  return {
    ...c,
    addressee: 'department',
    round: c.round + 1,
    roundStartedAt: at,
    dueAt: dueAfter(clock, at, c.limitHours),
    messages: note ? [...c.messages, message('forward', note, principal, at)] : c.messages,
  };
}

/** Who may attach a file now: its asker, or whoever may answer it, while it is not closed. */
export function attach(
  c: Consultation,
  principal: Principal,
  file: Omit<ConsultationAttachment, 'by' | 'role' | 'at'>,
  at: string,
): Consultation {
  if (!isAsker(principal, c) && !canAnswer(principal, c)) throw forbidden('只有提问人或答复方可以上传附件');
  if (c.status === 'closed') throw conflict('该咨询件已办结');
  if (c.attachments.length >= maxConsultationAttachments)
    throw conflict(`每个咨询件最多 ${maxConsultationAttachments} 个附件`);
  return { ...c, attachments: [...c.attachments, { ...file, ...authorOf(principal), at }] };
}

/** Reassignment within the department, by its staff (the assignee must be of the same department). */
export function assign(c: Consultation, principal: Principal, assigneeId: string): Consultation {
  if (c.status === 'closed') throw conflict('该咨询件已办结');
  if (c.addressee !== 'department') throw conflict('咨询件尚未转交属事单位');
  if (!isStaffOf(principal, c.departmentId) && !hasRole(principal, 'admin'))
    throw forbidden('只有本部门人员可以改派');
  return { ...c, assigneeId };
}

export function close(c: Consultation, principal: Principal, at: string): Consultation {
  if (!isAsker(principal, c)) throw forbidden('只有提出咨询的人可以办结咨询件');
  if (c.status !== 'answered') throw conflict('只有已答复的咨询件可以办结');
  return { ...c, status: 'closed', closedAt: at };
}

/** The asker is not satisfied: a follow-up question reopens it for a new round. */
export function followUp(
  c: Consultation,
  principal: Principal,
  text: string,
  at: string,
  clock: HoursClock,
): Consultation {
  if (!isAsker(principal, c)) throw forbidden('只有提出咨询的人可以追问');
  if (c.status !== 'answered') throw conflict('只有已答复的咨询件可以追问');
  const { answeredAt: _answered, ...rest } = c;
  return {
    ...rest,
    status: 'open',
    round: c.round + 1,
    roundStartedAt: at,
    dueAt: dueAfter(clock, at, c.limitHours),
    messages: [...c.messages, message('follow-up', text, principal, at)],
  };
}

/** The question and the latest answer, as a FAQ entry of the matter's guide (≤ 200 / ≤ 1000 characters). */
export function faqOf(c: Consultation): { question: string; answer: string } {
  const question = [...c.messages].reverse().find((m) => m.kind === 'question' || m.kind === 'follow-up');
  const latest = [...c.messages].reverse().find((m) => m.kind === 'answer');
  if (!question || !latest || c.status === 'open') throw conflict('咨询件尚未答复,不能转为常见问题');
  return { question: question.text.slice(0, 200), answer: latest.text.slice(0, 1000) };
}

export interface PlannedConsultationAlert {
  alertId: string;
  kind: AlertKind;
  level: AlertLevel;
  audience: AlertAudience;
  fireAt: string;
}

/**
 * The alerts of the current round while it is open: yellow to the addressee at half the limit, red at the
 * limit (escalated to the chief representative), and to the centre admin at twice the limit. Ids carry the
 * round, so a new round's alerts are new alerts and the last round's are resolved.
 */
export function plannedConsultationAlerts(c: Consultation, clock: HoursClock): PlannedConsultationAlert[] {
  if (c.status !== 'open') return [];
  const at = (hours: number) => dueAfter(clock, c.roundStartedAt, hours);
  const id = (kind: string) => `${kind}#${c.round}`;
  return [
    {
      alertId: id('consultation-warning'),
      kind: 'consultation-warning',
      level: 'yellow',
      audience: c.addressee,
      fireAt: at(c.limitHours / 2),
    },
    {
      alertId: id('consultation-overdue'),
      kind: 'consultation-overdue',
      level: 'red',
      audience: 'chief',
      fireAt: c.dueAt,
    },
    {
      alertId: id('consultation-escalated-to-admin'),
      kind: 'consultation-escalated-to-admin',
      level: 'red',
      audience: 'admin',
      fireAt: at(c.limitHours * 2),
    },
  ];
}

/** What a timer run at `nowMs` raises (due and not raised yet) and resolves (raised and no longer planned). */
export function consultationAlertAgenda(c: Consultation, clock: HoursClock, nowMs: number) {
  const planned = plannedConsultationAlerts(c, clock);
  const plannedIds = new Set(planned.map((p) => p.alertId));
  return {
    raise: planned.filter((p) => Date.parse(p.fireAt) <= nowMs && !c.raisedAlertIds.includes(p.alertId)),
    resolve: c.raisedAlertIds.filter((id) => !plannedIds.has(id)),
  };
}

/** The consultation with its timer position recomputed (after any change, and after a timer run). */
export function withNextAlert(c: Consultation, clock: HoursClock): Consultation {
  const { nextAlertAt: _previous, ...rest } = c;
  const next = plannedConsultationAlerts(c, clock)
    .filter((p) => !c.raisedAlertIds.includes(p.alertId))
    .map((p) => p.fireAt)
    .sort()[0];
  return next ? { ...rest, nextAlertAt: next } : rest;
}
