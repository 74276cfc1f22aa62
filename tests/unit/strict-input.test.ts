import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { ValidationError } from '../../functions/shared/errors';
import { parseParts, unknownFields } from '../../functions/shared/validation';

const schema = z.object({
  name: z.string(),
  applicant: z.object({ kind: z.literal('person'), phone: z.string() }).optional(),
  items: z.array(z.object({ materialId: z.string(), problem: z.string() })),
  extra: z.record(z.string(), z.unknown()).optional(),
});

const valid = fc.record(
  {
    name: fc.string(),
    applicant: fc.record({ kind: fc.constant('person' as const), phone: fc.string() }),
    items: fc.array(fc.record({ materialId: fc.string(), problem: fc.string() }), { maxLength: 4 }),
    // `__proto__` is never a valid key, not even of a free-form record: zod does not copy it (see below).
    extra: fc.dictionary(
      fc.string({ minLength: 1 }).filter((key) => key !== '__proto__'),
      fc.string(),
    ),
  },
  { requiredKeys: ['name', 'items'] },
);
const stray = fc.string({ minLength: 1, maxLength: 8 }).filter((k) => !/[.]/.test(k));

describe('strict input', () => {
  it('finds no unknown field in any valid input, whatever free-form records hold', () => {
    fc.assert(
      fc.property(valid, (input) => {
        expect(unknownFields(input, schema.parse(input))).toEqual([]);
      }),
    );
  });

  it('names exactly the field added at the top, in a nested object or in an array element', () => {
    fc.assert(
      fc.property(valid, stray, fc.nat(), (input, key, where) => {
        const known = ['name', 'applicant', 'items', 'extra', 'kind', 'phone', 'materialId', 'problem'];
        fc.pre(!known.includes(key) && !(key in Object.prototype));
        const copy = structuredClone(input) as Record<string, unknown> & typeof input;
        const targets: [Record<string, unknown>, string][] = [[copy, key]];
        if (copy.applicant) targets.push([copy.applicant, `applicant.${key}`]);
        copy.items.forEach((item, i) => {
          targets.push([item, `items.${i}.${key}`]);
        });
        const [target, path] = targets[where % targets.length] as [Record<string, unknown>, string];
        target[key] = 'x';
        expect(unknownFields(copy, schema.parse(copy))).toEqual([path]);
      }),
    );
  });

  it('names a `__proto__` key as unknown, also inside a free-form record (it could only poison a prototype)', () => {
    const input = JSON.parse('{"name":"a","items":[],"extra":{"__proto__":{"x":1},"ok":"y"},"__proto__":{}}');
    expect(unknownFields(input, schema.parse(input)).sort()).toEqual(['__proto__', 'extra.__proto__']);
  });

  it('refuses unknown body and query fields with 400 naming them, and leaves headers alone', () => {
    const parse = () =>
      parseParts({
        body: { schema, value: { name: 'a', items: [], status: 'accepted' } },
        query: { schema: z.object({ limit: z.coerce.number() }), value: { limit: '5', cursr: 'x' } },
        headers: { schema: z.object({ host: z.string() }), value: { host: 'h', 'x-other': 'y' } },
      });
    expect(parse).toThrow(ValidationError);
    try {
      parse();
    } catch (error) {
      const { fields } = (error as ValidationError).toBody().error.details as { fields: { field: string }[] };
      expect(fields.map((f) => f.field)).toEqual(['body.status', 'query.cursr']);
    }
  });
});
