import { randomBytes } from 'node:crypto';
import { ApiError } from './api-errors';

/** The task waiting on a token; its methods end or extend the wait. */
export interface TokenWaiter {
  succeed(output: unknown): void;
  fail(error: string, cause: string): void;
  heartbeat(): void;
}

const tokenBytes = 96;
const tokenPattern = /^[A-Za-z0-9_-]{128}$/;

/**
 * Task tokens of `.waitForTaskToken` tasks: random and opaque, valid only while their task waits. Like AWS,
 * a malformed token is InvalidToken and a well-formed one without a waiting task (finished, timed out,
 * aborted, already completed) is TaskTimedOut, so a stale or repeated completion changes nothing.
 */
export class TaskTokens {
  private readonly waiting = new Map<string, TokenWaiter>();

  issue(waiter: TokenWaiter): string {
    const token = randomBytes(tokenBytes).toString('base64url');
    this.waiting.set(token, waiter);
    return token;
  }

  revoke(token: string): void {
    this.waiting.delete(token);
  }

  /** The waiter of `token`, removed: a completion can be delivered once. */
  take(token: string): TokenWaiter {
    const waiter = this.peek(token);
    this.waiting.delete(token);
    return waiter;
  }

  peek(token: string): TokenWaiter {
    if (!tokenPattern.test(token)) throw new ApiError('InvalidToken', 'Invalid Token');
    const waiter = this.waiting.get(token);
    if (!waiter) throw new ApiError('TaskTimedOut', 'Task Timed Out');
    return waiter;
  }

  size(): number {
    return this.waiting.size;
  }

  clear(): void {
    this.waiting.clear();
  }
}
