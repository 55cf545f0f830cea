// Stripe's presentment currencies, lowercase as the API wants them. The list follows Stripe's
// "Supported currencies" page; a code missing here is refused like Stripe refuses an unknown one.
const SUPPORTED = new Set(
  (
    'usd aed afn all amd ang aoa ars aud awg azn bam bbd bdt bgn bhd bif bmd bnd bob brl bsd bwp byn bzd ' +
    'cad cdf chf clp cny cop crc cve czk djf dkk dop dzd egp etb eur fjd fkp gbp gel gip gmd gnf gtq gyd ' +
    'hkd hnl htg huf idr ils inr isk jmd jod jpy kes kgs khr kmf krw kwd kyd kzt lak lbp lkr lrd lsl mad ' +
    'mdl mga mkd mmk mnt mop mur mvr mwk mxn myr mzn nad ngn nio nok npr nzd omr pab pen pgk php pkr pln ' +
    'pyg qar ron rsd rub rwf sar sbd scr sek sgd shp sle sos srd std szl thb tjs tnd top try ttd twd tzs ' +
    'uah ugx uyu uzs vnd vuv wst xaf xcd xof xpf yer zar zmw'
  ).split(' '),
);

/** No minor unit: 500 means ¥500. */
const ZERO_DECIMAL = new Set('bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf'.split(' '));

/** Three minor digits; Stripe also wants the last one to be 0 (5.124 KWD must be sent as 5120). */
export const THREE_DECIMAL = new Set('bhd jod kwd omr tnd'.split(' '));

export function isSupportedCurrency(code: string): boolean {
  return SUPPORTED.has(code);
}

export function supportedCurrencies(): string {
  return [...SUPPORTED].join(', ');
}

export function currencyExponent(code: string): 0 | 2 | 3 {
  if (ZERO_DECIMAL.has(code)) return 0;
  if (THREE_DECIMAL.has(code)) return 3;
  return 2;
}

/** `1250, 'usd'` → `12.50 USD`; exact, no floating point. */
export function formatMinor(amountMinor: number, code: string): string {
  const exponent = currencyExponent(code);
  const digits = String(Math.abs(amountMinor)).padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = exponent === 0 ? '' : `.${digits.slice(digits.length - exponent)}`;
  return `${amountMinor < 0 ? '-' : ''}${whole}${fraction} ${code.toUpperCase()}`;
}
