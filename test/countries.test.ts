import { describe, expect, it } from 'vitest'
import { COUNTRY_CODES, isCountryCode } from '../src/countries.js'

describe('countries', () => {
  it('holds the 249 officially assigned ISO 3166-1 alpha-2 codes, uppercase', () => {
    expect(COUNTRY_CODES.size).toBe(249)
    for (const code of COUNTRY_CODES) expect(code).toMatch(/^[A-Z]{2}$/)
  })

  it('holds only codes that Node knows as regions (catches typos)', () => {
    // Intl.DisplayNames falls back to the code itself for a code it does not know.
    const regions = new Intl.DisplayNames(['en'], { type: 'region' })
    const unknown = [...COUNTRY_CODES].filter((code) => regions.of(code) === code)
    expect(unknown).toEqual([])
  })

  it.each(['GB', 'US', 'DE', 'JP', 'FR', 'AX', 'SS', 'BQ', 'CW', 'SX', 'AQ', 'BV', 'UM'])(
    'accepts %s',
    (code) => {
      expect(isCountryCode(code)).toBe(true)
    },
  )

  it.each([
    'UK', // exceptionally reserved: the United Kingdom is GB
    'EU', // exceptionally reserved
    'XK', // user-assigned (Kosovo by convention, not ISO)
    'XX',
    // Withdrawn codes, which Intl still names: the Intl check above cannot catch them.
    'AN',
    'BU',
    'CS',
    'DD',
    'FX',
    'NT',
    'SU',
    'TP',
    'YD',
    'YU',
    'ZR',
    'gb',
    'Gb',
    'GBR',
    'G',
    '',
    ' GB',
  ])('rejects %j', (code) => {
    expect(isCountryCode(code)).toBe(false)
  })
})
