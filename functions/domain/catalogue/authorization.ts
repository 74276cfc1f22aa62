import { hasRole, type Principal } from '../principal';

/**
 * Who may change the catalogue. The centre admin (区营商环境局) configures windows and departments and
 * assigns matters to windows; a department's own staff (reviewer or chief representative) edit and
 * publish that department's matters. Pure: the use cases turn a `false` into a 403.
 */
export const mayConfigureCentre = (principal: Principal): boolean => hasRole(principal, 'admin');

export const mayEditMattersOf = (principal: Principal, departmentId: string): boolean =>
  (hasRole(principal, 'reviewer') || hasRole(principal, 'chief')) && principal.departmentId === departmentId;
