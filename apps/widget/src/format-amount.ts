/** An amount exactly as the API sends it: a decimal string, never a JS number. */
export type Amount = Readonly<{ amount: string; asset: string }>;

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;
const NBSP = '\u00a0';
// A sample with three integer groups and a fraction, so its parts reveal every separator and the
// group sizes (3-3 for en-US, 2-3 for en-IN). It is a constant, never the amount itself.
const SAMPLE = 1234567.5;

export function isDecimalString(value: string): boolean {
  return DECIMAL.test(value);
}

/**
 * Formats an amount for a locale without ever converting it to a JS number, which would round
 * 18-decimal token amounts. Intl only tells us the separators, group sizes and currency placement;
 * the digits are the string's own. Fiat is padded to its minor unit (`12.5` USD is `$12.50`) but
 * never cut: every digit given is shown.
 */
export function formatAmount(amount: Amount, locale?: string): string {
  const match = DECIMAL.exec(amount.amount);
  if (!match) throw new RangeError(`not a decimal amount: ${JSON.stringify(amount.amount)}`);
  const negative = match[1] === '-';
  const integer = (match[2] ?? '0').replace(/^0+(?=\d)/, '');
  const fiat = isFiat(amount.asset);
  const style: Intl.NumberFormatOptions = fiat
    ? { style: 'currency', currency: amount.asset, numberingSystem: 'latn' }
    : { numberingSystem: 'latn' };

  // One fraction digit forces a decimal separator into the parts, even for JPY.
  const probe = new Intl.NumberFormat(locale, {
    ...style,
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  });
  const layout = probe.formatToParts(negative ? -SAMPLE : SAMPLE);
  // Some locales (es-ES) leave four-digit numbers ungrouped: 1234 but 12.345.
  const minimumGrouping = probe.formatToParts(1000).some((part) => part.type === 'group') ? 1 : 2;
  const minorDigits = fiat
    ? (new Intl.NumberFormat(locale, style).resolvedOptions().minimumFractionDigits ?? 0)
    : 0;
  const fraction = (match[3] ?? '').padEnd(minorDigits, '0');

  const separator = (type: 'group' | 'decimal') => layout.find((part) => part.type === type)?.value ?? '';
  const digits = groupDigits(integer, layout, minimumGrouping, separator('group'));
  const number = fraction === '' ? digits : `${digits}${separator('decimal')}${fraction}`;

  // Keep the locale's sign, currency and spacing; put our digits where the sample's number was.
  let placed = false;
  const text = layout
    .map((part) => {
      if (
        part.type !== 'integer' &&
        part.type !== 'group' &&
        part.type !== 'decimal' &&
        part.type !== 'fraction'
      ) {
        return part.value;
      }
      if (placed) return '';
      placed = true;
      return number;
    })
    .join('');
  return fiat ? text : `${text}${NBSP}${amount.asset.split(':')[0] ?? amount.asset}`;
}

let fiatCodes: ReadonlySet<string> | undefined;

// A currency Intl knows is fiat; anything else (`USDC:stellar`, a bare `ETH`) is shown as `<number> <code>`.
// A three-letter pattern is not enough: Intl would happily print `ETH 1.00`.
function isFiat(asset: string): boolean {
  fiatCodes ??= new Set(Intl.supportedValuesOf('currency'));
  return fiatCodes.has(asset);
}

function groupDigits(
  digits: string,
  layout: readonly Intl.NumberFormatPart[],
  minimumGrouping: number,
  group: string,
): string {
  const sizes = layout.filter((part) => part.type === 'integer').map((part) => part.value.length);
  const primary = sizes.at(-1) ?? digits.length;
  const secondary = sizes.at(-2) ?? primary;
  if (sizes.length < 2 || digits.length < primary + minimumGrouping) return digits;

  const groups = [digits.slice(-primary)];
  let rest = digits.slice(0, -primary);
  while (rest.length > secondary) {
    groups.unshift(rest.slice(-secondary));
    rest = rest.slice(0, -secondary);
  }
  groups.unshift(rest);
  return groups.join(group);
}
