import { parseArgs } from 'node:util';
import { type Role, roles } from '../../functions/domain/principal';
import { localDataDir } from './data-dir';
import { openLocalIssuer } from './issuer';

/**
 * `npm run -s token -- --role clerk --window W2` prints a signed local JWT and nothing else, for
 * `Authorization: Bearer $(npm run -s token -- --role clerk)`.
 */
const usage = `usage: npm run -s token -- --role <${roles.join('|')}> [--window ID] [--department ID] [--sub ID] [--ttl SECONDS]`;

function fail(message: string): never {
  process.stderr.write(`${message}\n${usage}\n`);
  process.exit(2);
}

let values: Record<string, string | undefined>;
try {
  ({ values } = parseArgs({
    options: {
      role: { type: 'string' },
      window: { type: 'string' },
      department: { type: 'string' },
      sub: { type: 'string' },
      ttl: { type: 'string' },
    },
    strict: true,
  }));
} catch (error) {
  fail((error as Error).message);
}

const role = values.role;
if (!role || !(roles as readonly string[]).includes(role)) fail(`--role must be one of ${roles.join(', ')}`);
const ttlSeconds = values.ttl === undefined ? undefined : Number(values.ttl);
if (ttlSeconds !== undefined && !(Number.isInteger(ttlSeconds) && ttlSeconds > 0))
  fail('--ttl must be a positive integer');

const issuer = await openLocalIssuer(localDataDir());
const token = await issuer.sign({
  role: role as Role,
  ...(values.sub ? { sub: values.sub } : {}),
  ...(values.window ? { windowId: values.window } : {}),
  ...(values.department ? { departmentId: values.department } : {}),
  ...(ttlSeconds ? { ttlSeconds } : {}),
});
process.stdout.write(`${token}\n`);
