import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../infra/definitions/asl';
import { openLocalIssuer } from '../../infra/local/issuer';
import { type LocalStack, startLocalStack } from '../../infra/local/stack';

/**
 * The interactive API reference at /docs in a real browser: Debian's Chromium, headless, driven by
 * playwright-core, against the whole local stack as `npm start` runs it. `npm test` installs Chromium
 * first (scripts/ensure-system-packages.sh chromium); without it this test fails and says so.
 */
const artifacts = path.join(repoRoot, 'test-artifacts');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'onewindow-docs-'));
let stack: LocalStack;
let browser: Browser;

function chromiumExecutable(): string {
  let found = '';
  try {
    found = execFileSync('bash', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
  } catch {
    // not on PATH: Debian's place, checked below
  }
  const executable = found || '/usr/bin/chromium';
  try {
    accessSync(executable, constants.X_OK);
  } catch {
    throw new Error(
      `Chromium is missing (no 'chromium' on PATH, nor ${executable}): this test drives Debian's Chromium; ` +
        `install it with 'bash scripts/ensure-system-packages.sh chromium' (npm test does) or 'apt-get install -y chromium'`,
    );
  }
  return executable;
}

beforeAll(async () => {
  const executablePath = chromiumExecutable();
  [stack, browser] = await Promise.all([
    startLocalStack({
      port: 0,
      dynamoDbPort: 0,
      s3Port: 0,
      stepFunctionsPort: 0,
      dataDir,
      persistent: true,
      clockSpeed: 1,
      stage: 'e2e-docs',
    }),
    chromium.launch({
      executablePath,
      headless: true,
      // Root (as on CI) cannot use Chromium's sandbox.
      chromiumSandbox: false,
      args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
      timeout: 120_000,
    }),
  ]);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}, 120_000);

/** What a page did that the test must see: requests off its origin, CSP violations, script errors. */
interface Watched {
  page: Page;
  offOrigin: string[];
  problems: string[];
}

async function openDocs(): Promise<Watched> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  const origin = new URL(stack.url).origin;
  const offOrigin: string[] = [];
  const problems: string[] = [];
  // Offline as on a laptop without network: anything off the origin is refused and recorded.
  await context.route(
    (url) => !['data:', 'blob:'].includes(url.protocol) && url.origin !== origin,
    async (route) => {
      offOrigin.push(route.request().url());
      await route.abort('internetdisconnected');
    },
  );
  // Every violation of the page's CSP, as the page itself sees it (the listener is added by the browser's
  // debugging protocol, which the CSP does not govern).
  await context.addInitScript(
    "window.__cspViolations = []; document.addEventListener('securitypolicyviolation', (e) => " +
      "window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));",
  );
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content.Security.Policy|Refused to/i.test(message.text()))
      problems.push(`console: ${message.text()}`);
  });
  await page.goto(`${stack.url}/docs`, { waitUntil: 'load' });
  return { page, offOrigin, problems };
}

/** An operation of the reference (deep-linking ids: `operations-<tag>-<operationId>`), expanded. */
async function expandOperation(page: Page, tag: string, operationId: string) {
  const operation = page.locator(`#operations-${tag}-${operationId}`);
  await operation.locator('.opblock-summary').first().click();
  await operation.locator('.opblock-body').waitFor();
  return operation;
}

/**
 * Try-it-out, then Execute: the page starts Swagger UI with `tryItOutEnabled`, so an expanded operation is
 * already in try-it-out mode (its button offers "Cancel", not "Try it out").
 */
async function execute(operation: ReturnType<Page['locator']>) {
  await expect(operation.locator('button.try-out__btn').textContent()).resolves.toBe('Cancel');
  await operation.locator('button.execute').click();
  const status = operation.locator('.live-responses-table .response .response-col_status').first();
  await status.waitFor();
  return (await status.textContent())?.trim();
}

describe('GET /docs in Chromium', () => {
  it('lists every tag, calls GET /health with try-it-out, and GET /me after Authorize', async () => {
    const openapi = (await (await fetch(`${stack.url}/openapi.json`)).json()) as {
      tags: { name: string }[];
    };
    const tags = openapi.tags.map((t) => t.name);
    expect(tags).toContain('platform');

    const { page, offOrigin, problems } = await openDocs();
    await page.locator('.swagger-ui .info .title').waitFor();
    await page.locator('.opblock-tag-section').first().waitFor();
    const listed = await page
      .locator('h3.opblock-tag')
      .evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-tag')));
    expect([...listed].sort()).toEqual([...tags].sort());
    for (const tag of tags)
      await expect(page.locator(`h3.opblock-tag[data-tag="${tag}"]`).isVisible()).resolves.toBe(true);

    const health = await expandOperation(page, 'platform', 'getHealth');
    expect(await execute(health)).toBe('200');
    await expect(
      health.locator('.live-responses-table .response .response-col_description').first().textContent(),
    ).resolves.toContain('"status": "ok"');

    // Authorize with a token of the local issuer, then call the authenticated GET /me.
    const issuer = await openLocalIssuer(dataDir);
    const token = await issuer.sign({ role: 'reviewer', sub: 'docs-reviewer', departmentId: 'D-edu' });
    await page.locator('.scheme-container button.authorize').click();
    const dialog = page.locator('.dialog-ux .modal-ux');
    await dialog.locator('input[type=text], input[type=password]').first().fill(token);
    await dialog.locator('button.modal-btn.auth.authorize').click();
    await dialog.locator('button.modal-btn.auth', { hasText: 'Logout' }).waitFor();
    await dialog.locator('button.btn-done').click();

    const me = await expandOperation(page, 'platform', 'getMe');
    expect(await execute(me)).toBe('200');
    await expect(
      me.locator('.live-responses-table .response .response-col_description').first().textContent(),
    ).resolves.toContain('docs-reviewer');

    // The kept screenshot shows the answer of GET /me.
    await me.locator('.live-responses-table').scrollIntoViewIfNeeded();
    mkdirSync(artifacts, { recursive: true });
    const screenshot = path.join(artifacts, 'docs.png');
    await page.screenshot({ path: screenshot, fullPage: false });
    expect(statSync(screenshot).size).toBeGreaterThan(10_000);

    expect(offOrigin).toEqual([]);
    expect(problems).toEqual([]);
    expect(await page.evaluate('window.__cspViolations')).toEqual([]);
    await page.context().close();
  }, 240_000);
});

describe('GET /docs and its files over HTTP', () => {
  it('serves the page with a same-origin CSP, and each file with its type, a long cache and gzip', async () => {
    const docs = await fetch(`${stack.url}/docs`);
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = docs.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('unsafe');
    const html = await docs.text();
    expect(html).toContain('/openapi.json');
    const links = [...html.matchAll(/(?:src|href)="(\/docs\/assets\/[^"]+)"/g)].map((m) => m[1] as string);
    expect(links.map((l) => l.replace(/\?.*/, '')).sort()).toEqual([
      '/docs/assets/onewindow-docs.js',
      '/docs/assets/swagger-ui-bundle.js',
      '/docs/assets/swagger-ui.css',
    ]);
    for (const link of links) {
      // fetch sends accept-encoding gzip and decodes the answer.
      const file = await fetch(`${stack.url}${link}`);
      expect(file.status, link).toBe(200);
      expect(file.headers.get('content-type'), link).toMatch(
        link.includes('.css') ? /^text\/css/ : /^text\/javascript/,
      );
      expect(file.headers.get('cache-control'), link).toBe('public, max-age=31536000, immutable');
      expect(file.headers.get('content-encoding'), link).toBe('gzip');
      expect((await file.text()).length, link).toBeGreaterThan(100);
    }
    const unversioned = await fetch(`${stack.url}/docs/assets/swagger-ui.css`);
    expect(unversioned.headers.get('cache-control')).toBe('public, no-cache');
    expect(await unversioned.text()).toContain('.swagger-ui');

    for (const name of ['index.html', 'swagger-ui-bundle.js.map', '..%2Fpackage.json', 'swagger-ui.CSS']) {
      const missing = await fetch(`${stack.url}/docs/assets/${name}`);
      expect(missing.status, name).toBe(404);
      expect(((await missing.json()) as { error: { code: string } }).error.code, name).toBe('NOT_FOUND');
    }
  });
});
