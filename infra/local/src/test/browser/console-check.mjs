// Drives the console page once end to end: connect, subscribe, publish, see the frame, read /stats.
// Usage: node console-check.mjs <console-url> <screenshot.png>
import { chromium } from 'playwright-core';

const [url, screenshot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(url);
  await page.selectOption('#profile', 'topics');
  await page.click('#connect');
  await page.waitForFunction(() => document.querySelector('#status').textContent.startsWith('connected'), null, { timeout: 15000 });
  await page.fill('#frame', '{"type":"subscribe","topic":"messages.**"}');
  await page.click('#send');
  await page.waitForFunction(() => document.querySelector('#frames').textContent.includes('"type":"subscribed"'), null, { timeout: 15000 });
  await page.click('#publish');
  await page.waitForFunction(() => document.querySelector('#publish-result').textContent.startsWith('200'), null, { timeout: 15000 });
  await page.waitForFunction(() => document.querySelector('#frames').textContent.includes('Hello from the console'), null, { timeout: 15000 });
  await page.click('#refresh-stats');
  await page.waitForFunction(() => document.querySelector('#stats').textContent.includes('connections'), null, { timeout: 15000 });
  // the metrics panel: the table lists the functions with their counts, the chart has drawn points
  await page.waitForFunction(() => document.querySelector('#metrics-table').textContent.includes('MessageFunction'), null, { timeout: 15000 });
  await page.waitForFunction(() => Number(document.querySelector('#metrics-chart').dataset.points) >= 2, null, { timeout: 15000 });
  // the publish went through HttpApiFunction: its row counts it within a poll or two
  await page.waitForFunction(() => Number([...document.querySelectorAll('#metrics-table tr')]
    .find(r => r.firstChild.textContent === 'HttpApiFunction')?.children[1].textContent) >= 1, null, { timeout: 15000 });
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log('console check passed');
} finally {
  await browser.close();
}
