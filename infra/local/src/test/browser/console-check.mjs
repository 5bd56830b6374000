// Drives the console page once end to end: connect, subscribe, publish, see the frame, read /stats;
// then speaks chat: declare a conversation through the publish box, join it, send a message.
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
  // chat: the profile's examples and its backend publication fill the boxes
  await page.click('#disconnect');
  await page.waitForFunction(() => document.querySelector('#status').textContent === 'disconnected', null, { timeout: 15000 });
  await page.selectOption('#profile', 'chat');
  await page.click('#connect');
  await page.waitForFunction(() => document.querySelector('#frames').textContent.includes('"event":"connection:established"'), null, { timeout: 15000 });
  await page.click('#publish'); // the prefilled conversation.upserted makes the demo user a member
  await page.waitForFunction(() => document.querySelector('#publish-result').textContent.startsWith('200'), null, { timeout: 15000 });
  await page.click('#send'); // the first chat example: conversation:join
  await page.waitForFunction(() => document.querySelector('#frames').textContent.includes('"event":"conversation:joined"'), null, { timeout: 15000 });
  await page.click('#example-sub'); // the next: message:send
  await page.click('#send');
  await page.waitForFunction(() => [...document.querySelectorAll('#frames .in')].some(l => l.textContent.includes('"event":"message:new"')
    && l.textContent.includes('Hello from the console')), null, { timeout: 15000 });
  const errors = await page.evaluate(() => [...document.querySelectorAll('#frames .in')].filter(l => l.textContent.includes('"event":"error"')).map(l => l.textContent));
  if (errors.length) throw new Error('chat answered with errors: ' + errors.join('\n'));
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log('console check passed');
} finally {
  await browser.close();
}
