// SHKeeper is Python: amounts are `decimal.Decimal` (28 significant digits), stored in SQLite
// NUMERIC columns that SQLAlchemy reads back through a float with 10 decimals, and rendered with
// `("%.10f" % d).rstrip("0").rstrip(".")`, which goes through a binary float too. The fake keeps
// exact bigint decimals and reproduces those float steps exactly, in bigint, at the same places.

/** `units / 10^scale`; `scale` is kept like a Decimal's exponent, so `"49.99000000"` stays as is. */
export type Dec = Readonly<{ units: bigint; scale: number }>;

const PRECISION = 28;
const FLOAT_DECIMALS = 10;

export const ZERO: Dec = { units: 0n, scale: 0 };

export function dec(units: bigint | number, scale = 0): Dec {
  return { units: BigInt(units), scale };
}

/** `Decimal(text)`: null where Python raises (`InvalidOperation`). */
export function parseDecimal(text: string): Dec | null {
  const match = /^\s*([+-])?(\d+\.?\d*|\.\d+)(?:[eE]([+-]?\d+))?\s*$/.exec(text);
  if (!match) return null;
  const [whole = '', fraction = ''] = (match[2] ?? '').split('.');
  let units = BigInt(`${whole}${fraction}` || '0');
  let scale = fraction.length - Number(match[3] ?? '0');
  if (scale < 0) {
    units *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { units: match[1] === '-' ? -units : units, scale };
}

/** `Decimal(float)`: the exact value of the double, as Python gives for a JSON number. */
export function decimalFromNumber(value: number): Dec | null {
  if (!Number.isFinite(value)) return null;
  let { mantissa, exponent } = doubleParts(value);
  if (mantissa === 0n) return ZERO;
  while (mantissa % 2n === 0n) {
    mantissa /= 2n;
    exponent++;
  }
  if (exponent >= 0) return { units: mantissa << BigInt(exponent), scale: 0 };
  return { units: mantissa * 5n ** BigInt(-exponent), scale: -exponent };
}

/** A JSON value as SHKeeper's `Decimal(req["amount"])` takes it: a string or a number. */
export function decimalFromJson(value: unknown): Dec | null {
  if (typeof value === 'string') return parseDecimal(value);
  if (typeof value === 'number') return decimalFromNumber(value);
  return null;
}

export function add(a: Dec, b: Dec): Dec {
  const scale = Math.max(a.scale, b.scale);
  return context({ units: rescale(a, scale) + rescale(b, scale), scale });
}

export function sub(a: Dec, b: Dec): Dec {
  return add(a, { units: -b.units, scale: b.scale });
}

export function mul(a: Dec, b: Dec): Dec {
  return context({ units: a.units * b.units, scale: a.scale + b.scale });
}

/** `a / b` to 28 significant digits; an exact quotient keeps no more decimals than it needs, like Python. */
export function div(a: Dec, b: Dec): Dec {
  if (b.units === 0n) throw new Error('fake SHKeeper: division by zero');
  let num = a.units * 10n ** BigInt(b.scale);
  let den = b.units * 10n ** BigInt(a.scale);
  if (den < 0n) {
    num = -num;
    den = -den;
  }
  const ideal = Math.max(0, a.scale - b.scale);
  if (num === 0n) return { units: 0n, scale: ideal };
  const magnitude = num < 0n ? -num : num;
  // The scale at which the quotient's integer part has exactly 28 digits.
  let scale = PRECISION - (digits(magnitude) - digits(den));
  for (;;) {
    const length = digits(scaledQuotient(magnitude, den, scale));
    if (length > PRECISION) scale--;
    else if (length < PRECISION) scale++;
    else break;
  }
  let units =
    scale >= 0 ? roundDiv(num * 10n ** BigInt(scale), den) : roundDiv(num, den * 10n ** BigInt(-scale));
  if (digits(units) > PRECISION) {
    units = roundDiv(units, 10n);
    scale--;
  }
  if (scale < 0) return { units: units * 10n ** BigInt(-scale), scale: 0 };
  const exact = (num * 10n ** BigInt(scale)) % den === 0n;
  return exact ? stripZeros({ units, scale }, ideal) : { units, scale };
}

function scaledQuotient(num: bigint, den: bigint, scale: number): bigint {
  return scale >= 0 ? (num * 10n ** BigInt(scale)) / den : num / (den * 10n ** BigInt(-scale));
}

export function compare(a: Dec, b: Dec): -1 | 0 | 1 {
  const scale = Math.max(a.scale, b.scale);
  const x = rescale(a, scale);
  const y = rescale(b, scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function isZero(d: Dec): boolean {
  return d.units === 0n;
}

/** `round(d, places)` / `d.quantize(...)`: half-even, to exactly `places` decimals. */
export function quantize(d: Dec, places: number): Dec {
  if (places >= d.scale) return { units: rescale(d, places), scale: places };
  return { units: roundDiv(d.units, 10n ** BigInt(d.scale - places)), scale: places };
}

/** `Decimal.normalize()` without the exponent form: trailing zeros of the fraction dropped. */
export function normalize(d: Dec): Dec {
  return stripZeros(d, 0);
}

/** `str(Decimal)`: plain digits with the value's own scale; scientific below 1E-6, as Python does. */
export function toPlain(d: Dec): string {
  const negative = d.units < 0n;
  const digitsText = (negative ? -d.units : d.units).toString();
  const adjusted = digitsText.length - 1 - d.scale;
  if (d.scale > 0 && adjusted < -6) {
    const mantissa = digitsText.length > 1 ? `${digitsText[0]}.${digitsText.slice(1)}` : digitsText;
    return `${negative ? '-' : ''}${mantissa}E${adjusted}`;
  }
  return plainDigits(d);
}

function plainDigits(d: Dec): string {
  const sign = d.units < 0n ? '-' : '';
  const digitsText = (d.units < 0n ? -d.units : d.units).toString();
  if (d.scale === 0) return `${sign}${digitsText}`;
  const padded = digitsText.padStart(d.scale + 1, '0');
  return `${sign}${padded.slice(0, -d.scale)}.${padded.slice(-d.scale)}`;
}

/** `"%.10f" % float(d)`: through the nearest double, then correctly rounded (half-even) to 10 decimals. */
export function formatFloat10(d: Dec): string {
  const { mantissa, exponent } = nearestDouble(d);
  const tenth = 10n ** BigInt(FLOAT_DECIMALS);
  const scaled =
    exponent >= 0
      ? (mantissa << BigInt(exponent)) * tenth
      : roundDiv(mantissa * tenth, 1n << BigInt(-exponent));
  return plainDigits({ units: scaled, scale: FLOAT_DECIMALS });
}

/** SHKeeper's `remove_exponent`: `"%.10f"` then trailing zeros and dot stripped (`"30"`, `"0"`). */
export function removeExponent(d: Dec): string {
  return formatFloat10(d).replace(/0+$/, '').replace(/\.$/, '');
}

/** What a SQLite NUMERIC column gives back through SQLAlchemy: `Decimal("%.10f" % float(d))`. */
export function stored(d: Dec): Dec {
  const text = formatFloat10(d);
  const parsed = parseDecimal(text);
  if (!parsed) throw new Error(`fake SHKeeper: cannot store ${text}`);
  return parsed;
}

function rescale(d: Dec, scale: number): bigint {
  return d.units * 10n ** BigInt(scale - d.scale);
}

function digits(n: bigint): number {
  return (n < 0n ? -n : n).toString().length;
}

/** Rounds to the 28 significant digits of Python's default decimal context. */
function context(d: Dec): Dec {
  const excess = digits(d.units) - PRECISION;
  if (excess <= 0 || d.scale === 0) return d;
  const drop = Math.min(excess, d.scale);
  return { units: roundDiv(d.units, 10n ** BigInt(drop)), scale: d.scale - drop };
}

function stripZeros(d: Dec, minScale: number): Dec {
  let { units, scale } = d;
  while (scale > minScale && units % 10n === 0n) {
    units /= 10n;
    scale--;
  }
  return { units, scale };
}

/** `n / d` rounded half to even; `d` positive. */
function roundDiv(n: bigint, d: bigint): bigint {
  const divisor = d < 0n ? -d : d;
  const numerator = d < 0n ? -n : n;
  let q = numerator / divisor;
  let r = numerator % divisor;
  if (r < 0n) {
    q -= 1n;
    r += divisor;
  }
  const twice = 2n * r;
  if (twice > divisor || (twice === divisor && q % 2n !== 0n)) q += 1n;
  return q;
}

function doubleParts(value: number): { mantissa: bigint; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const bits = view.getBigUint64(0);
  const negative = bits >> 63n === 1n;
  const exponentBits = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = exponentBits === 0 ? fraction : fraction | (1n << 52n);
  const exponent = exponentBits === 0 ? -1074 : exponentBits - 1075;
  return { mantissa: negative ? -mantissa : mantissa, exponent };
}

/** The double nearest to `d` (ties to even), as `mantissa × 2^exponent`; amounts never reach subnormals. */
function nearestDouble(d: Dec): { mantissa: bigint; exponent: number } {
  if (d.units === 0n) return { mantissa: 0n, exponent: 0 };
  const negative = d.units < 0n;
  const num = negative ? -d.units : d.units;
  const den = 10n ** BigInt(d.scale);
  let exponent = num.toString(2).length - den.toString(2).length - 53;
  for (;;) {
    const n = exponent >= 0 ? num : num << BigInt(-exponent);
    const m = exponent >= 0 ? den << BigInt(exponent) : den;
    const q = n / m;
    if (q >= 1n << 53n) exponent++;
    else if (q < 1n << 52n) exponent--;
    else {
      let mantissa = roundDiv(n, m);
      if (mantissa === 1n << 53n) {
        mantissa = 1n << 52n;
        exponent++;
      }
      return { mantissa: negative ? -mantissa : mantissa, exponent };
    }
  }
}
