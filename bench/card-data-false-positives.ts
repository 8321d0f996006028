import { CARD_BRANDS, type CardBrandRange, lengthTable } from '../src/card-data/brands.js'
import { type ScanOptions, scanCardNumbers } from '../src/card-data/card-numbers.js'
import { LOOK_ALIKE_KINDS, type LookAlikeKind, lookAlikes } from '../test/support/look-alike-numbers.js'

/*
 * How often the card-number detector takes a number that is not a card for one: 10,000 of each kind of
 * look-alike (test/support/look-alike-numbers.ts, seeded), each judged as a whole string. Besides the
 * detector as shipped, three variants show what the brand table's and the exemptions' decisions buy:
 * with 13-digit Visa numbers, with 12- to 15-digit Maestro numbers, and without the exemptions for
 * identifiers that carry their own check (UUIDs, IBANs, printed USPS barcodes).
 *
 *   npx tsx bench/card-data-false-positives.ts
 */

const COUNT = 10_000

const MAESTRO_SHORT: CardBrandRange[] = [
  '5018',
  '5020',
  '5038',
  '5893',
  '6304',
  '6759',
  '6761',
  '6762',
  '6763',
].map((prefix) => ({ brand: 'Maestro', from: prefix, to: prefix, lengths: [12, 13, 14, 15] }))

const VARIANTS: readonly [string, ScanOptions][] = [
  ['as shipped', {}],
  [
    '+ Visa 13',
    { lengths: lengthTable([...CARD_BRANDS, { brand: 'Visa', from: '4', to: '4', lengths: [13] }]) },
  ],
  ['+ Maestro 12–15', { lengths: lengthTable([...CARD_BRANDS, ...MAESTRO_SHORT]) }],
  ['no exemptions', { exemptions: false }],
]

function found(text: string, options: ScanOptions): boolean {
  let any = false
  scanCardNumbers(
    text,
    () => {
      any = true
      return true
    },
    options,
  )
  return any
}

const percent = (hits: number) => `${((hits / COUNT) * 100).toFixed(2)} %`

const lines = [
  `| kind | ${VARIANTS.map(([name]) => name).join(' | ')} |`,
  `| --- |${' ---: |'.repeat(VARIANTS.length)}`,
]
for (const kind of Object.keys(LOOK_ALIKE_KINDS) as LookAlikeKind[]) {
  const corpus = lookAlikes(kind, COUNT)
  const cells = VARIANTS.map(([, options]) => percent(corpus.filter((text) => found(text, options)).length))
  lines.push(`| ${kind} | ${cells.join(' | ')} |`)
}
process.stdout.write(
  `False positives per ${COUNT.toLocaleString('en')} look-alikes of each kind:\n${lines.join('\n')}\n`,
)
