import type { AlertLevel } from '../domain/cases/alerts';
import { hasRole, type Principal } from '../domain/principal';
import { ForbiddenError } from '../shared/errors';
import { encodeCursor } from '../shared/pagination';
import type { CaseContext } from './case-context';
import type { AlertScope } from './case-store';

/**
 * Worklists of active deadline alerts (预警), earliest due date first: a window sees its cases', a
 * department its own, the centre admin everyone's. Each is one index query.
 */
export function alertReads(ctx: CaseContext) {
  return {
    async listAlerts(
      principal: Principal,
      query: {
        scope: 'centre' | 'window' | 'department';
        id?: string | undefined;
        level: AlertLevel;
        dueOnOrBefore?: string | undefined;
        limit: number;
        cursor?: Record<string, unknown> | undefined;
      },
    ) {
      const scope = alertScopeFor(principal, query.scope, query.id);
      const page = await ctx.cases.listAlerts(
        scope,
        query.level,
        query.limit,
        query.cursor,
        query.dueOnOrBefore,
      );
      return { items: page.items, nextCursor: encodeCursor(page.lastKey) };
    },
  };
}

function alertScopeFor(
  principal: Principal,
  scope: 'centre' | 'window' | 'department',
  id?: string,
): AlertScope {
  const admin = hasRole(principal, 'admin');
  if (scope === 'centre') {
    if (!admin) throw new ForbiddenError('只有中心管理员可以查看全中心的预警');
    return { kind: 'centre' };
  }
  if (scope === 'window') {
    const windowId = id ?? principal.windowId;
    if (!windowId || !(admin || (hasRole(principal, 'clerk') && principal.windowId === windowId)))
      throw new ForbiddenError('只能查看本窗口的预警');
    return { kind: 'window', windowId };
  }
  const departmentId = id ?? principal.departmentId;
  const staff = hasRole(principal, 'reviewer') || hasRole(principal, 'chief');
  if (!departmentId || !(admin || (staff && principal.departmentId === departmentId)))
    throw new ForbiddenError('只能查看本部门的预警');
  return { kind: 'department', departmentId };
}
