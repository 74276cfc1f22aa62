import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shanghaiDate } from '../../functions/domain/calendar-date';

const byIntl = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

describe('shanghaiDate', () => {
  it('turns the date at midnight in Shanghai, not in UTC', () => {
    expect(shanghaiDate(Date.parse('2026-09-30T15:59:59.999Z'))).toBe('2026-09-30');
    expect(shanghaiDate(Date.parse('2026-09-30T16:00:00.000Z'))).toBe('2026-10-01');
    expect(shanghaiDate(Date.parse('2026-12-31T16:00:00.000Z'))).toBe('2027-01-01');
  });

  it('agrees with the time-zone database for any instant from 1992 to 2100', () => {
    const from = Date.parse('1992-01-01T00:00:00Z');
    const to = Date.parse('2100-12-31T23:59:59Z');
    fc.assert(
      fc.property(fc.integer({ min: from, max: to }), (epochMs) => {
        expect(shanghaiDate(epochMs)).toBe(byIntl.format(new Date(epochMs)));
      }),
      { numRuns: 2000 },
    );
  });
});
