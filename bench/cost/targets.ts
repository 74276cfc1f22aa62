/** The table ids of infra/definitions/tables.ts, as the physical names end. */
const tableIds = ['cases', 'catalogue', 'idempotency'];

/** `onewindow-<stage>-cases/gsi2` → `cases/gsi2`: the physical names carry the stage. */
export function logicalTarget(target: string): string {
  const [table = '', index] = target.split('/');
  const id = tableIds.find((t) => table === t || table.endsWith(`-${t}`)) ?? table;
  return index ? `${id}/${index}` : id;
}
