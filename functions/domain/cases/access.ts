import { hasRole, type Principal } from '../principal';
import type { CaseRecord } from './model';

/**
 * Who may see and act on a case. Applicants see their own cases; window clerks the cases of matters
 * their window accepts; department staff their department's, and at a dispatched (派驻) window they
 * also decide on acceptance. Pure: the use cases turn a refusal into 404 (not yours to know of) or 403.
 */
export const isOwner = (principal: Principal, record: CaseRecord): boolean =>
  hasRole(principal, 'applicant') && record.ownerId === principal.userId;

export const isWindowClerkOf = (principal: Principal, record: CaseRecord): boolean =>
  hasRole(principal, 'clerk') && principal.windowId === record.matter.windowId;

export const isDepartmentStaffOf = (principal: Principal, record: CaseRecord): boolean =>
  (hasRole(principal, 'reviewer') || hasRole(principal, 'chief')) &&
  principal.departmentId === record.matter.departmentId;

export const mayRead = (principal: Principal, record: CaseRecord): boolean =>
  isOwner(principal, record) ||
  isWindowClerkOf(principal, record) ||
  isDepartmentStaffOf(principal, record) ||
  hasRole(principal, 'admin');

/** Personal data unmasked: the owner and the staff handling the case, not the centre's overview. */
export const maySeePersonalData = (principal: Principal, record: CaseRecord): boolean =>
  isOwner(principal, record) || isWindowClerkOf(principal, record) || isDepartmentStaffOf(principal, record);

export const mayEditDraft = (principal: Principal, record: CaseRecord): boolean =>
  record.ownerId !== undefined ? isOwner(principal, record) : isWindowClerkOf(principal, record);

/** 前台综合受理: the window's clerk; at a dispatched window the department's staff sitting there too. */
export const mayDecideAcceptance = (principal: Principal, record: CaseRecord): boolean =>
  isWindowClerkOf(principal, record) ||
  (record.matter.staffingMode === 'dispatched' && isDepartmentStaffOf(principal, record));

/** Materials come from the applicant, or from the window's clerk scanning them at the counter. */
export const mayProvideMaterials = (principal: Principal, record: CaseRecord): boolean =>
  isOwner(principal, record) || isWindowClerkOf(principal, record);
