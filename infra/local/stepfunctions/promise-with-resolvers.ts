/**
 * aws-local-stepfunctions calls `Promise.withResolvers` (ES2024) for every Task state; Node 20 lacks it.
 * Imported for its side effect before the library runs anything.
 */
interface PromiseWithResolversConstructor {
  withResolvers?: <T>() => {
    promise: Promise<T>;
    resolve: (value: T) => void;
    reject: (reason?: unknown) => void;
  };
}

const promiseConstructor = Promise as unknown as PromiseWithResolversConstructor;

promiseConstructor.withResolvers ??= <T>() => {
  let resolve!: (value: T) => void;
  let reject!: (reason?: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

/** Typed access for the runner's own code (lib ES2023 has no declaration of it). */
export function withResolvers<T>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (reason?: unknown) => void;
} {
  return (
    promiseConstructor.withResolvers as NonNullable<PromiseWithResolversConstructor['withResolvers']>
  )<T>();
}
