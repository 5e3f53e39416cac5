// The web page in a real browser: Debian's Chromium, driven by playwright-core, headless,
// with a fresh profile. The screenshot it takes is kept in dist/test-artifacts/ (not in the
// repository).

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { eventsNamed, scratch, until } from '../support/processes.ts';
import { TOKEN, withWeb } from '../support/web.ts';

/** Debian's chromium package: the binary behind its /usr/bin/chromium wrapper. */
const CHROMIUM = ['/usr/lib/chromium/chromium', '/usr/bin/chromium'].find((path) => existsSync(path));
export const ARTIFACTS = 'dist/test-artifacts';

let browser: Browser | undefined;
afterEach(async () => {
  await browser?.close();
  browser = undefined;
});

/** A new headless Chromium, a fresh profile, a page at `base` (the login form, until logged in). */
async function openPage(base: string, viewport = { width: 1100, height: 900 }): Promise<Page> {
  if (CHROMIUM === undefined) throw new Error("no Chromium here: install Debian's chromium package (.ci/run does)");
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  const page = await (await browser.newContext({ viewport })).newPage();
  await page.goto(base);
  return page;
}

async function logIn(page: Page, token: string) {
  await page.getByLabel('Token').fill(token);
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Log in' }).click()]);
}

describe('the web page, in Chromium', () => {
  it('logs in with the token, shows the app running, and its Crash Recovery button, selects and Restart change the app through the one path', async () => {
    // A Procfile service, as an image runs one: Container Recovery on, autorestart and autoreplace off.
    const procfile = join(scratch(), 'Procfile');
    writeFileSync(procfile, 'web: exec sleep 1000\n');
    const { run, stderr, base, cli } = await withWeb({ PROCWARDEN_PROCFILE: procfile }, []);
    const policy = async () => (JSON.parse((await cli('status', '--json')).stdout) as { policy: Record<string, string> }).policy;
    const page = await openPage(base);
    await logIn(page, TOKEN);
    await expect.poll(() => page.locator('[data-field=state]').textContent()).toBe('running');
    await expect.poll(() => page.locator('[data-field=attempt]').textContent()).toBe('1');
    const button = page.locator('#crash-recovery');
    expect(await button.getAttribute('aria-pressed')).toBe('false');

    // ON: autorestart and autoreplace ALWAYS, as Tutum's toggle did.
    await button.click();
    await expect.poll(() => button.getAttribute('aria-pressed')).toBe('true');
    expect(await page.locator('#autorestart').inputValue()).toBe('ALWAYS');
    expect(await page.locator('#autoreplace').inputValue()).toBe('ALWAYS');
    expect(await policy()).toMatchObject({ autorestart: 'ALWAYS', autoreplace: 'ALWAYS' });
    await until(() => eventsNamed(stderr(), 'policy.changed').length === 1, 'the change, said');
    expect(eventsNamed(stderr(), 'policy.changed').at(-1)).toMatchObject({ source: 'http', new: { autorestart: 'ALWAYS', autoreplace: 'ALWAYS' } });

    // OFF: both OFF.
    await button.click();
    await expect.poll(() => button.getAttribute('aria-pressed')).toBe('false');
    expect(await policy()).toMatchObject({ autorestart: 'OFF', autoreplace: 'OFF' });

    await page.locator('#autorestart').selectOption('ON_FAILURE');
    await until(() => eventsNamed(stderr(), 'policy.changed').length === 3, 'the select, applied');
    expect(await policy()).toMatchObject({ autorestart: 'ON_FAILURE', autoreplace: 'OFF' });
    await expect.poll(() => button.getAttribute('aria-pressed')).toBe('true');

    // A requested restart: attempt 2 appears live, by the event stream.
    await page.getByRole('button', { name: 'Restart' }).click();
    await expect.poll(() => page.locator('[data-field=attempt]').textContent(), { timeout: 10_000 }).toBe('2');
    await expect.poll(() => page.locator('#events li').first().textContent()).toMatch(/container\.started: container has started .*attempt: 2/);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}/web-page.png`, fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: `${ARTIFACTS}/web-page-phone.png`, fullPage: true });

    process.kill(run.pid!, 'SIGTERM');
    await run;
  });

  it('refuses a wrong token, and a form of another site changes nothing while logged in', async () => {
    const { run, base } = await withWeb();
    const page = await openPage(base);
    const wrong = page.waitForResponse((response) => response.url().endsWith('/login'));
    await logIn(page, 'not-the-token');
    expect((await wrong).status()).toBe(401);
    expect(await page.getByRole('alert').textContent()).toBe('That is not the token.');
    await logIn(page, TOKEN);
    await expect.poll(() => page.locator('[data-field=state]').textContent()).toBe('running');

    // Another origin (another port of this host: the same site, so the cookie goes along)
    // whose page posts forms to procwarden as soon as it loads.
    const evil = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html>
        <form id="restart" method="post" action="${base}/restart" target="one"></form>
        <form id="policy" method="post" action="${base}/api/v1/service/app/" enctype="text/plain" target="two"><input name='{"autorestart":"OFF","x":"' value='"}'></form>
        <iframe name="one"></iframe><iframe name="two"></iframe>
        <script>document.getElementById('restart').submit(); document.getElementById('policy').submit();</script>`);
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    try {
      const answers: number[] = [];
      page.on('response', (response) => {
        if (response.url().startsWith(base) && response.request().method() === 'POST') answers.push(response.status());
      });
      await page.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
      await expect.poll(() => answers.length).toBe(2);
      expect(answers).toEqual([403, 403]);
    } finally {
      evil.close();
    }
    // Read once procwarden has ended: all it ever said.
    process.kill(run.pid!, 'SIGTERM');
    const { stderr: said } = await run;
    expect(eventsNamed(said, 'policy.changed')).toEqual([]);
    expect(eventsNamed(said, 'container.started')).toHaveLength(1);
  });
});
