import type { Rail } from './api';

/** The languages the widget speaks: English, and German chosen from the browser's languages. */
export type Locale = 'en' | 'de';

/**
 * Every word the page reads out before a rail is picked, and the errors of every rail. The words
 * of a rail's own panel travel in its chunk (panels/{rail}.tsx, by `Locale`), so a new rail adds
 * nothing here but its name and hint. Amounts arrive already formatted for the locale; nothing
 * here formats money.
 */
export type Messages = Readonly<{
  locale: Locale;
  loading: string;
  invalidLinkTitle: string;
  invalidLinkHint: string;
  testMode: string;
  items: string;
  totalDue: string;
  received: string;
  stillDue: string;
  expiresIn: string;
  chooseHowToPay: string;
  railNames: Readonly<Record<Rail, string>>;
  railHints: Readonly<Record<Rail, string>>;
  changeMethod: string;
  cardHint: string;
  cardContinue: string;
  preparing: string;
  status: Readonly<{
    pending: string;
    processing: string;
    partiallyPaid: (due: string) => string;
    paid: string;
    overpaid: (received: string) => string;
    expired: string;
    failed: string;
    canceled: string;
    refunded: string;
    partiallyRefunded: string;
  }>;
  nextStep: Readonly<{
    expired: string;
    failed: string;
    canceled: string;
    partiallyPaid: string;
  }>;
  startAgain: string;
  returnToMerchant: string;
  redirecting: (seconds: number) => string;
  close: string;
  retrying: string;
  tryAgain: string;
  copy: string;
  copied: string;
  copyFailed: string;
  amountLabel: string;
  referenceLabel: string;
  qrHandoff: string;
  qrAlt: string;
  sandboxTitle: string;
  sandboxHint: string;
  simulate: Readonly<{ pay: string; pay_part: string; overpay: string; fail: string; expire: string }>;
  errors: Readonly<{
    network: string;
    badResponse: string;
    notFound: string;
    rateLimited: string;
    server: string;
    refused: string;
    railUnavailable: string;
    /** By the API's kassaCode, for the Stellar panel's calls. */
    stellar: Readonly<Record<StellarErrorCode, string>>;
    /** For the stablecoin panel's invoice: this token refused, or SHKeeper unreachable. */
    evm: Readonly<Record<EvmErrorCode, string>>;
  }>;
}>;

export type EvmErrorCode = 'rail_not_allowed' | 'provider_unavailable';

/** The kassaCodes the Stellar procedures answer with that the payer can act on. */
export type StellarErrorCode =
  | 'rail_not_allowed'
  | 'provider_unavailable'
  | 'payer_account_missing'
  | 'payer_no_trustline'
  | 'payer_underfunded'
  | 'transaction_invalid'
  | 'transaction_failed'
  | 'transaction_not_found'
  | 'transaction_not_for_checkout';

const en: Messages = {
  locale: 'en',
  loading: 'Loading checkout…',
  invalidLinkTitle: 'This payment link is not valid',
  invalidLinkHint: 'Please ask the merchant for a new link.',
  testMode: 'Test mode',
  items: 'Items',
  totalDue: 'Total due',
  received: 'Received',
  stillDue: 'Still due',
  expiresIn: 'Expires in',
  chooseHowToPay: 'How would you like to pay?',
  railNames: { sandbox: 'Sandbox', card: 'Card', stellar: 'Stellar', evm: 'Stablecoin (USDT, USDC)' },
  railHints: {
    sandbox: 'Try every outcome; no money moves',
    card: 'Visa, Mastercard and more',
    stellar: 'XLM, USDC or EURC from any Stellar wallet',
    evm: 'On BSC, Ethereum or Tron',
  },
  changeMethod: 'Choose another way to pay',
  cardHint: 'You pay on a secure card page, then come back here.',
  cardContinue: 'Continue to card payment',
  preparing: 'Preparing your payment…',
  status: {
    pending: 'Waiting for payment',
    processing: 'Payment seen, processing',
    partiallyPaid: (due) => `Partially paid, ${due} still due`,
    paid: 'Paid — thank you',
    overpaid: (received) => `Paid — thank you. ${received} received, more than was due.`,
    expired: 'This checkout has expired',
    failed: 'Payment failed',
    canceled: 'This checkout was canceled',
    refunded: 'Refunded',
    partiallyRefunded: 'Partially refunded',
  },
  nextStep: {
    expired: 'Nothing more can be paid here. If you already paid, the merchant will sort it out.',
    failed: 'No money was taken. You can start again and choose another way to pay.',
    canceled: 'The merchant canceled this checkout. Nothing more can be paid here.',
    partiallyPaid: 'Pay the rest the same way to complete your order.',
  },
  startAgain: 'Start again',
  returnToMerchant: 'Return to the merchant',
  redirecting: (seconds) => `Taking you back to the merchant in ${seconds} s…`,
  close: 'Close',
  retrying: 'Retrying…',
  tryAgain: 'Try again',
  copy: 'Copy',
  copied: 'Copied',
  copyFailed: 'Copy failed — select the text instead',
  amountLabel: 'Amount',
  referenceLabel: 'Reference',
  qrHandoff: 'Scan to continue on your phone',
  qrAlt: 'QR code of the payment link',
  sandboxTitle: 'Sandbox',
  sandboxHint: 'Test mode: no real money moves. Choose what the payer does.',
  simulate: {
    pay: 'Simulate payment',
    pay_part: 'Pay part',
    overpay: 'Overpay',
    fail: 'Fail',
    expire: 'Expire',
  },
  errors: {
    network: 'Cannot reach the payment server. Check your connection.',
    badResponse: 'The payment server sent an unexpected answer.',
    notFound: 'This checkout was not found.',
    rateLimited: 'Too many requests. Please wait a moment.',
    server: 'The payment server had a problem. Please try again.',
    refused: 'The request was not accepted.',
    railUnavailable: 'This way to pay is not available right now. Please choose another.',
    stellar: {
      rail_not_allowed: 'This checkout cannot be paid on Stellar.',
      provider_unavailable: 'The Stellar network cannot be reached. Please try again shortly.',
      payer_account_missing: 'This account does not exist on this network.',
      payer_no_trustline: 'This account has no trustline for this asset.',
      payer_underfunded: 'This account does not hold enough for the amount and the fee.',
      transaction_invalid: 'This is not the signed transaction prepared here.',
      transaction_failed: 'The network refused the transaction. Nothing was paid.',
      transaction_not_found: 'Transaction not found. Check the hash, or try again in a moment.',
      transaction_not_for_checkout:
        'This transaction does not pay this checkout (other memo, destination or asset).',
    },
    evm: {
      rail_not_allowed: 'This checkout cannot be paid with this token now.',
      provider_unavailable: 'The stablecoin service cannot be reached. Please try again shortly.',
    },
  },
};

const de: Messages = {
  locale: 'de',
  loading: 'Zahlung wird geladen…',
  invalidLinkTitle: 'Dieser Zahlungslink ist ungültig',
  invalidLinkHint: 'Bitte fragen Sie den Händler nach einem neuen Link.',
  testMode: 'Testmodus',
  items: 'Artikel',
  totalDue: 'Zu zahlen',
  received: 'Erhalten',
  stillDue: 'Noch offen',
  expiresIn: 'Läuft ab in',
  chooseHowToPay: 'Wie möchten Sie bezahlen?',
  railNames: { sandbox: 'Sandbox', card: 'Karte', stellar: 'Stellar', evm: 'Stablecoin (USDT, USDC)' },
  railHints: {
    sandbox: 'Jedes Ergebnis ausprobieren; es fließt kein Geld',
    card: 'Visa, Mastercard und mehr',
    stellar: 'XLM, USDC oder EURC aus jeder Stellar-Wallet',
    evm: 'Über BSC, Ethereum oder Tron',
  },
  changeMethod: 'Andere Zahlungsart wählen',
  cardHint: 'Sie zahlen auf einer sicheren Kartenseite und kommen danach hierher zurück.',
  cardContinue: 'Weiter zur Kartenzahlung',
  preparing: 'Zahlung wird vorbereitet…',
  status: {
    pending: 'Warten auf Zahlung',
    processing: 'Zahlung erkannt, wird bearbeitet',
    partiallyPaid: (due) => `Teilweise bezahlt, ${due} noch offen`,
    paid: 'Bezahlt — vielen Dank',
    overpaid: (received) => `Bezahlt — vielen Dank. ${received} erhalten, mehr als fällig war.`,
    expired: 'Diese Zahlung ist abgelaufen',
    failed: 'Zahlung fehlgeschlagen',
    canceled: 'Diese Zahlung wurde storniert',
    refunded: 'Erstattet',
    partiallyRefunded: 'Teilweise erstattet',
  },
  nextStep: {
    expired: 'Hier kann nichts mehr bezahlt werden. Falls Sie schon bezahlt haben, klärt der Händler das.',
    failed: 'Es wurde kein Geld abgebucht. Sie können neu beginnen und eine andere Zahlungsart wählen.',
    canceled: 'Der Händler hat diese Zahlung storniert. Hier kann nichts mehr bezahlt werden.',
    partiallyPaid: 'Zahlen Sie den Rest auf demselben Weg, um die Bestellung abzuschließen.',
  },
  startAgain: 'Neu beginnen',
  returnToMerchant: 'Zurück zum Händler',
  redirecting: (seconds) => `Weiter zum Händler in ${seconds} s…`,
  close: 'Schließen',
  retrying: 'Neuer Versuch…',
  tryAgain: 'Erneut versuchen',
  copy: 'Kopieren',
  copied: 'Kopiert',
  copyFailed: 'Kopieren fehlgeschlagen — bitte Text markieren',
  amountLabel: 'Betrag',
  referenceLabel: 'Referenz',
  qrHandoff: 'Scannen, um auf dem Handy fortzufahren',
  qrAlt: 'QR-Code des Zahlungslinks',
  sandboxTitle: 'Sandbox',
  sandboxHint: 'Testmodus: Es fließt kein echtes Geld. Wählen Sie, was der Zahler tut.',
  simulate: {
    pay: 'Zahlung simulieren',
    pay_part: 'Teil zahlen',
    overpay: 'Zu viel zahlen',
    fail: 'Fehlschlagen',
    expire: 'Ablaufen',
  },
  errors: {
    network: 'Der Zahlungsserver ist nicht erreichbar. Bitte Verbindung prüfen.',
    badResponse: 'Der Zahlungsserver hat unerwartet geantwortet.',
    notFound: 'Diese Zahlung wurde nicht gefunden.',
    rateLimited: 'Zu viele Anfragen. Bitte einen Moment warten.',
    server: 'Beim Zahlungsserver ist ein Fehler aufgetreten. Bitte erneut versuchen.',
    refused: 'Die Anfrage wurde nicht angenommen.',
    railUnavailable: 'Diese Zahlungsart ist gerade nicht verfügbar. Bitte wählen Sie eine andere.',
    stellar: {
      rail_not_allowed: 'Diese Zahlung kann nicht über Stellar bezahlt werden.',
      provider_unavailable: 'Das Stellar-Netzwerk ist nicht erreichbar. Bitte gleich erneut versuchen.',
      payer_account_missing: 'Dieses Konto gibt es in diesem Netzwerk nicht.',
      payer_no_trustline: 'Dieses Konto hat keine Trustline für dieses Asset.',
      payer_underfunded: 'Dieses Konto hat nicht genug für Betrag und Gebühr.',
      transaction_invalid: 'Das ist nicht die hier vorbereitete, signierte Transaktion.',
      transaction_failed: 'Das Netzwerk hat die Transaktion abgelehnt. Es wurde nichts bezahlt.',
      transaction_not_found:
        'Transaktion nicht gefunden. Prüfen Sie den Hash oder versuchen Sie es gleich erneut.',
      transaction_not_for_checkout:
        'Diese Transaktion bezahlt nicht diese Zahlung (anderes Memo, Empfänger oder Asset).',
    },
    evm: {
      rail_not_allowed: 'Diese Zahlung ist mit diesem Token gerade nicht möglich.',
      provider_unavailable: 'Der Stablecoin-Dienst ist nicht erreichbar. Bitte gleich erneut versuchen.',
    },
  },
};

const CATALOG: Readonly<Record<Locale, Messages>> = { en, de };

/** The first of the browser's languages we speak (`de-AT` counts as `de`), else English. */
export function pickMessages(languages: readonly string[]): Messages {
  for (const tag of languages) {
    const base = tag.toLowerCase().split('-')[0] ?? '';
    const messages = isLocale(base) ? CATALOG[base] : undefined;
    if (messages) return messages;
  }
  return en;
}

export const LANGUAGES: readonly Locale[] = ['en', 'de'];

function isLocale(tag: string): tag is Locale {
  return (LANGUAGES as readonly string[]).includes(tag);
}
