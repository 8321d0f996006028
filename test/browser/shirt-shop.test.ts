import { type ChildProcess, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/*
 * The shirt-shop page in a real browser: Debian's Chromium driven by playwright-core (no browser
 * download). A shopper checks out a blue tee in size M, the server is restarted, and the shopper comes
 * back by email to find everything still there; a card number typed into the note is refused by the
 * page and never reaches the database. SCREENSHOTS=<dir> keeps screenshots of each step.
 */

const SERVER = fileURLToPath(new URL('../../examples/shirt-shop/server.mjs', import.meta.url))
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const CARD = '4242 4242 4242 4242'

const dir = mkdtempSync(join(tmpdir(), 'shirt-shop-'))
const dbFile = join(dir, 'shop.db')
const screenshots = process.env.SCREENSHOTS

let browser: Browser
let server: { process: ChildProcess; url: string } | undefined

/** Starts the shop on a free loopback port and resolves with its address once it listens. */
function startServer(): Promise<{ process: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [SERVER], {
    env: { ...process.env, SHOP_DB: dbFile, PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  return new Promise((resolve, reject) => {
    let output = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const match = /http:\/\/127\.0\.0\.1:\d+/.exec(output)
      if (match) resolve({ process: child, url: match[0] })
    })
    child.once('exit', (code) => reject(new Error(`the shop exited with ${code} before listening`)))
  })
}

async function stopServer(): Promise<void> {
  if (!server) return
  const { process: child } = server
  server = undefined
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
}

async function shot(page: Page, name: string): Promise<void> {
  if (!screenshots) return
  mkdirSync(screenshots, { recursive: true })
  await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true })
}

async function fillCheckout(page: Page, note = ''): Promise<void> {
  await page.selectOption('#checkout [name=size]', 'M')
  await page.fill('#checkout [name=email]', 'Ada@Example.com')
  await page.fill('#checkout [name=name]', 'Ada Lovelace')
  await page.fill('#checkout [name=phone]', '+44 20 7946 0958')
  await page.selectOption('#checkout [name=country]', 'GB')
  await page.fill('#checkout [name=line1]', '12 St James Sq')
  await page.fill('#checkout [name=city]', 'London')
  await page.fill('#checkout [name=postalCode]', 'SW1Y 4JH')
  await page.selectOption('#checkout [name=cardToken]', 'pm_card_visa')
  await page.fill('#checkout [name=note]', note)
}

describe('the shirt-shop page in Chromium', () => {
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // As root on a machine without a network: no sandbox, nothing phoning home.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    })
    server = await startServer()
  })

  afterAll(async () => {
    await browser?.close()
    await stopServer()
    rmSync(dir, { recursive: true, force: true })
  })

  it('places an order for a blue tee in size M', async () => {
    const page = await browser.newPage()
    await page.goto(server?.url ?? '')
    await fillCheckout(page, 'Gift wrap, please')
    await shot(page, 'shirt-shop-checkout-form')
    await page.click('#checkout button[type=submit]')
    const result = page.locator('#checkout-result')
    await expect.poll(() => result.textContent()).toContain('Order #1001 is placed')
    expect(await result.textContent()).toContain('1 × Blue tee (size M), total $24.99')
    await shot(page, 'shirt-shop-order-placed')
    await page.close()
  })

  it('shows the address, the card as brand and last four, and the order after a restart', async () => {
    await stopServer()
    server = await startServer()
    const page = await browser.newPage()
    await page.goto(server.url)
    await page.fill('#lookup [name=email]', 'ada@EXAMPLE.com')
    await page.click('#lookup button[type=submit]')
    const account = page.locator('#account')
    await expect.poll(() => account.isVisible()).toBe(true)
    expect(await account.locator('[data-field=name]').textContent()).toBe('Ada Lovelace')
    expect(await account.locator('[data-field=address]').textContent()).toBe(
      '12 St James Sq, London SW1Y 4JH, GB',
    )
    expect(await account.locator('[data-field=card]').textContent()).toBe('visa •••• 4242 (expires 12/2030)')
    const cells = await account.locator('[data-field=orders] tr td').allTextContents()
    expect(cells).toEqual(['#1001', 'pending', '1 × Blue tee (size M)', '$24.99'])
    await shot(page, 'shirt-shop-returning-customer')
    await page.close()
  })

  it('refuses a card number typed into the note, and the database never holds it', async () => {
    const page = await browser.newPage()
    await page.goto(server?.url ?? '')
    await fillCheckout(page, `please charge my card ${CARD} exp 12/30`)
    const answer = page.waitForResponse('**/api/checkout')
    await page.click('#checkout button[type=submit]')
    const response = await answer
    expect(response.status()).toBe(400)
    const body = await response.text()
    expect(body).toContain('CARD_DATA_REJECTED')
    expect(body.replace(/\D/g, '')).not.toContain(CARD.replace(/\D/g, ''))
    const result = page.locator('#checkout-result')
    await expect.poll(() => result.textContent()).toContain('we never store card numbers')
    expect(await result.textContent()).toContain('note')
    await shot(page, 'shirt-shop-card-refused')
    await page.close()

    // Every text column of every table, digits only: the card number is nowhere, in any form.
    await stopServer()
    const sqlite = new Database(dbFile, { readonly: true })
    try {
      const tables = sqlite
        .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")
        .all() as Array<{ name: string }>
      expect(tables.map((t) => t.name)).toContain('checkout_orders')
      const digits = CARD.replace(/\D/g, '')
      for (const { name } of tables) {
        for (const row of sqlite.prepare(`select * from "${name}"`).all() as Array<Record<string, unknown>>) {
          expect(JSON.stringify(row).replace(/\D/g, '')).not.toContain(digits)
        }
      }
      const orders = sqlite.prepare('select count(*) as n from checkout_orders').get() as { n: number }
      expect(orders.n).toBe(1)
    } finally {
      sqlite.close()
    }
    server = await startServer()
  })
})
