/** The calendar date (YYYY-MM-DD) of an instant in Asia/Shanghai, where every date of this service lives. */
const formatter = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

export const shanghaiDate = (epochMs: number): string => formatter.format(new Date(epochMs));
