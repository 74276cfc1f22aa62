import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  chainEvent,
  changesBetween,
  genesisHash,
  type TrailEvent,
  verifyChain,
} from '../../functions/domain/cases/trail';

const actor = { userId: 'clerk-1', role: 'clerk', windowId: 'window-2' };
function chainOf(actions: string[]): TrailEvent[] {
  const events: TrailEvent[] = [];
  for (const [i, action] of actions.entries()) {
    const body = {
      seq: i + 1,
      at: `2026-11-25T08:0${i % 10}:00.000Z`,
      actor,
      channel: 'counter',
      action,
      changes: [],
    };
    events.push(chainEvent(body, events.at(-1)?.hash ?? genesisHash));
  }
  return events;
}

describe('trail hash chain', () => {
  it('verifies an untouched chain of any length (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1, maxLength: 12 }), { maxLength: 30 }), (actions) => {
        const verdict = verifyChain(chainOf(actions));
        return verdict.valid && verdict.events === actions.length;
      }),
    );
  });

  it('names the first event that was changed, removed or reordered', () => {
    const events = chainOf(['create', 'submit', 'accept', 'handover']);
    const changed = events.map((e) => (e.seq === 3 ? { ...e, action: 'reject' } : e));
    expect(verifyChain(changed)).toMatchObject({ valid: false, brokenAt: 3 });
    expect(verifyChain([events[0], events[2], events[3]] as TrailEvent[])).toMatchObject({
      valid: false,
      brokenAt: 3,
    });
    expect(verifyChain([events[1], events[0]] as TrailEvent[])).toMatchObject({ valid: false, brokenAt: 2 });
    // A forger who recomputes the changed event's hash still breaks the link of the next one.
    const rehashed = [...events];
    const { prevHash, hash: _h, ...body } = events[1] as TrailEvent;
    rehashed[1] = chainEvent({ ...body, action: 'accept' }, prevHash);
    expect(verifyChain(rehashed)).toMatchObject({ valid: false, brokenAt: 3 });
  });

  it('hashes independently of key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { y: 1, x: 0 }], c: null } })).toBe(
      canonicalJson({ a: { c: null, d: [2, { x: 0, y: 1 }] }, b: 1 }),
    );
  });
});

describe('changesBetween', () => {
  it('lists each changed leaf with its old and new value', () => {
    expect(
      changesBetween(
        { status: 'submitted', version: 2, applicant: { name: '张三', phone: '138' }, notices: [] },
        { status: 'accepted', version: 3, applicant: { name: '张三', phone: '139' }, notices: [{ n: 1 }] },
      ),
    ).toEqual([
      { field: 'applicant.phone', old: '138', new: '139' },
      { field: 'notices.0.n', new: 1 },
      { field: 'status', old: 'submitted', new: 'accepted' },
      { field: 'version', old: 2, new: 3 },
    ]);
  });

  it('records a list element by element: an appended element alone, never the whole list', () => {
    const pauses = [{ kind: 'supplement', from: '2026-03-02', to: '2026-03-04' }];
    expect(
      changesBetween(
        { clock: { pauses } },
        { clock: { pauses: [...pauses, { kind: 'special-procedure', from: '2026-03-09' }] } },
      ),
    ).toEqual([
      { field: 'clock.pauses.1.from', new: '2026-03-09' },
      { field: 'clock.pauses.1.kind', new: 'special-procedure' },
    ]);
    expect(changesBetween({ items: ['a', 'b'] }, { items: ['a'] })).toEqual([{ field: 'items.1', old: 'b' }]);
  });

  it('records a new object field by field', () => {
    expect(changesBetween(undefined, { acceptance: { noticeNumber: 'SL1', provisional: false } })).toEqual([
      { field: 'acceptance.noticeNumber', new: 'SL1' },
      { field: 'acceptance.provisional', new: false },
    ]);
  });
});
