import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

/** Debian's chromium (`apt-get install chromium`); .ci/run installs it. */
const CHROMIUM = '/usr/bin/chromium';
/** Git-ignored: CI keeps it as an artifact. */
const ARTIFACTS = path.resolve('test-artifacts');
const hasChromium = existsSync(CHROMIUM);

if (!hasChromium) console.warn(`GraphiQL browser test skipped: no chromium at ${CHROMIUM} (apt-get install -y chromium; .ci/run does).`);

/** The page may reach the gateway and nothing else: no CDN, no font or update service. */
function isLocal(address: string): boolean {
  const url = new URL(address);
  if (url.protocol === 'data:' || url.protocol === 'blob:' || url.protocol === 'about:') return true;
  return url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
}

describe.skipIf(!hasChromium)('GraphiQL in a browser with no network', () => {
  let gateway: TestGateway;
  let userDataDir: string;
  let context: BrowserContext;
  let page: Page;
  const offMachine: string[] = [];

  beforeAll(async () => {
    gateway = await startTestGateway({}, { demo: true });
    userDataDir = await mkdtemp(path.join(tmpdir(), 'graphiql-browser-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1400, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-quic',
        '--no-first-run',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    // Seen and blocked: a request that leaves the machine fails the test rather than waiting on a network that is not there.
    context.on('request', (request) => {
      if (!isLocal(request.url())) offMachine.push(request.url());
    });
    await context.route('**/*', (route) => (isLocal(route.request().url()) ? route.continue() : route.abort('blockedbyclient')));
    page = context.pages()[0] ?? (await context.newPage());
  }, 120_000);

  afterAll(async () => {
    // Kept whether the test passed or not: the page as it was last seen.
    if (page) {
      await mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, 'graphiql.png') }).catch(() => undefined);
    }
    await context?.close();
    if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
    await gateway?.close();
  });

  /** Runs the editor's query with the ▶ button; resolves with the response pane's text once it shows `expected`. */
  async function runQuery(expected: string[]): Promise<string> {
    await page.getByRole('button', { name: /Execute query/ }).click();
    const result = page.locator('.graphiql-response');
    // Monaco shows spaces as no-break spaces.
    const shown = async () => (await result.innerText()).replace(/\s/g, ' ');
    const missing = async () => {
      const text = await shown();
      return expected.filter((part) => !text.includes(part));
    };
    await expect.poll(missing, { timeout: 30_000 }).toEqual([]);
    return shown();
  }

  async function replaceQuery(query: string) {
    const editor = page.locator('.graphiql-query-editor .monaco-editor').first();
    await editor.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Delete');
    // insertText types no key, so the editor adds no closing brackets of its own; one line, so no indentation either.
    await page.keyboard.insertText(query);
  }

  it('gets a demo token, runs the default query and an availability query, all from the gateway alone', async () => {
    await page.goto(`${gateway.url}/graphql`);
    // The button puts the token in the Headers tab and reloads the page.
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Use a demo token' }).click()]);
    // The header stays across reloads.
    await page.reload();
    await page.getByText('Headers', { exact: true }).click();
    const headers = page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden)');
    // Monaco shows spaces as no-break spaces, which \s matches.
    await expect.poll(() => headers.innerText(), { timeout: 30_000 }).toMatch(/"Authorization":\s"Bearer\sey/);

    const overview = await runQuery(['"clientId"', '"admin"', 'Northwind IT', 'Amelia Hughes']);
    expect(overview).not.toContain('"errors"');

    const lookupToken = await gateway.tokenFor({ accounts: 'all', scopes: ['read'] });
    const { data } = await gateway.graphql(
      `{ agents(first: 1, where: { name: { equals: "Priya Patel" } }) { nodes { id account { id } } } appointmentTypes(first: 50) { nodes { id internalName account { id } } } }`,
      {},
      lookupToken,
    );
    const agent = data.agents.nodes[0];
    const type = data.appointmentTypes.nodes.find((candidate: any) => candidate.account.id === agent.account.id);
    const from = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    const to = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
    await replaceQuery(
      `query Availability { availability(input: { appointmentTypeId: "${type.id}", resourceId: "${agent.id}", ` +
        `from: "${from}T00:00:00Z", to: "${to}T00:00:00Z", timeZone: "Europe/London" }) { startsAt endsAt agents { name } } }`,
    );
    const availability = await runQuery(['"availability"', '"startsAt"', 'Priya Patel']);
    expect(availability).not.toContain('"errors"');

    expect(offMachine).toEqual([]);
  }, 180_000);
});
