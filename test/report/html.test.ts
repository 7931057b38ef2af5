/**
 * --html: one self-contained page, checked in a real headless Chromium (Debian's `chromium`).
 * Skipped, saying so, only when /usr/bin/chromium is absent (`apt-get install -y chromium`).
 */
import { afterAll, describe, expect, test } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { runCli } from '../../src/cli/app.js';
import type { Io } from '../../src/cli/io.js';

const CHROMIUM = '/usr/bin/chromium';
const TMP = mkdtempSync(path.join(tmpdir(), 'mmcheck-html-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

async function cli(args: string[]): Promise<number> {
  const io: Io = {
    out: () => undefined,
    err: () => undefined,
    stdoutIsTTY: false,
    stderrIsTTY: false,
    env: {},
    cwd: TMP,
  };
  return runCli(args, io);
}

describe('--html page', () => {
  const page = path.join(TMP, 'compare.html');
  let html = '';

  test('compare writes one self-contained page: no script, nothing fetched', async () => {
    expect(await cli(['compare', 'put-and-wait-vs-migration', '--html', page])).toBe(0);
    html = readFileSync(page, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(|src=|href=/i);
    expect(html).toContain('<table class="matrix">');
    expect(html).toContain('pre-9a1ea439-iomap-fixed');
  });

  test('check --html: the property table and each counterexample', async () => {
    const file = path.join(TMP, 'check.html');
    expect(await cli(['check', 'peterson', '--variant', 'no-turn', '--html', file])).toBe(1);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('<table class="verdicts">');
    expect(text.match(/<section class="counterexample">/g)).toHaveLength(1);
    expect(text).toContain('<strong class="property">✗ mutual-exclusion</strong>');
    expect(text).toMatch(/<th class="lane">P0<\/th><th class="lane">P1<\/th>/);
  });

  test('headless Chromium shows the matrix, the lanes and the violated property', async () => {
    // .ci/run installs Chromium; a machine without it fails here with the command, never skips.
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is absent: apt-get install -y chromium`);
    const userDataDir = mkdtempSync(path.join(TMP, 'profile-'));
    const browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
      viewport: { width: 1400, height: 900 },
    });
    try {
      const tab = await browser.newPage();
      const requests: string[] = [];
      tab.on('request', (r) => requests.push(r.url()));
      await tab.goto(pathToFileURL(page).href);
      // Only the page itself is loaded: nothing from the network.
      expect(requests).toEqual([pathToFileURL(page).href]);
      expect(await tab.locator('table.matrix tr').count()).toBe(1 + 6); // header + six variants
      const sections = tab.locator('section.counterexample');
      expect(await sections.count()).toBeGreaterThan(0);
      const first = sections.first();
      // One lane per thread (migrator, fault0, reader0) and a step in some lane on every row.
      expect(await first.locator('th.lane').allTextContents()).toEqual(['migrator', 'fault0', 'reader0']);
      const rows = await first.locator('tr.step').count();
      expect(rows).toBeGreaterThan(1);
      expect(await first.locator('td.lane.active').count()).toBe(rows);
      await expect(first.locator('.violation .property').textContent()).resolves.toMatch(/^✗ \S+/);
      const refcount = tab.locator('.violation .property', { hasText: '✗ refcount' });
      expect(await refcount.count()).toBeGreaterThan(0);
      expect(await refcount.first().isVisible()).toBe(true);
      // The lanes are laid out side by side: the fault0 lane starts right of the migrator lane.
      const [m, f] = await Promise.all(
        ['migrator', 'fault0'].map((t) => first.locator('th.lane', { hasText: t }).boundingBox()),
      );
      expect(f!.x).toBeGreaterThan(m!.x + m!.width - 1);
      const shot = path.join(TMP, 'compare.png');
      await tab.screenshot({ path: shot, fullPage: false });
      expect(statSync(shot).size).toBeGreaterThan(10_000);
      if (process.env.MMCHECK_KEEP_SCREENSHOT) await tab.screenshot({ path: process.env.MMCHECK_KEEP_SCREENSHOT });
    } finally {
      await browser.close();
    }
  }, 60_000);
});
