/**
 * `npx tsx bench/cost/idle-main.ts`: the idle profile of bench:cost (idle.ts) in a process of its own
 * (its clock runs faster than the cost-per-case run's). Progress on stderr; the results as one JSON line
 * on stdout.
 */
process.env.LOG_LEVEL ??= 'SILENT';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { measureIdleCases } = await import('./idle');
const results = await measureIdleCases({ log: (line) => process.stderr.write(`${line}\n`) });
process.stdout.write(`${JSON.stringify(results)}\n`);

export {};
