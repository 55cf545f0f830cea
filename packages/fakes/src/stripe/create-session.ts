import { err, ok } from '../result';
import { THREE_DECIMAL, isSupportedCurrency, supportedCurrencies } from './currencies';
import { field, isFormObject, type FormObject, type FormValue } from './form';
import {
  invalid,
  missing,
  readHash,
  readInteger,
  readMetadata,
  readString,
  readStringList,
  readUrl,
  unknownParam,
  type ParamResult,
} from './params';

/** What a valid `POST /v1/checkout/sessions` asks for, before the fake gives it ids. */
export type SessionDraft = Readonly<{
  currency: string;
  amountTotal: number;
  lineItems: readonly Readonly<{ name: string; currency: string; unitAmount: number; quantity: number }>[];
  receivedLineItems: FormValue[];
  clientReferenceId: string | null;
  metadata: Readonly<Record<string, string>>;
  paymentIntentMetadata: Readonly<Record<string, string>>;
  successUrl: string | null;
  cancelUrl: string | null;
  customerEmail: string | null;
  locale: string | null;
  paymentMethodTypes: readonly string[];
  expiresAt: number;
  expand: readonly string[];
}>;

// Top-level parameters of SessionCreateParams in stripe-node 23 (plus `payment_method_types`,
// which older API versions take). Stripe refuses anything else with `parameter_unknown`, and so
// does the fake: a typo in the adapter must fail here as it would in production.
const KNOWN = new Set(
  (
    'adaptive_pricing after_expiration allow_promotion_codes allowed_payment_method_types automatic_tax ' +
    'billing_address_collection branding_settings cancel_url client_reference_id consent_collection currency ' +
    'custom_fields custom_text customer customer_account customer_creation customer_email customer_update ' +
    'discounts excluded_payment_method_types expand expires_at integration_identifier invoice_creation ' +
    'line_items locale managed_payments metadata mode name_collection optional_items origin_context ' +
    'payment_intent_data payment_method_collection payment_method_configuration payment_method_data ' +
    'payment_method_options payment_method_types permissions phone_number_collection redirect_on_completion ' +
    'return_url saved_payment_method_options setup_intent_data shipping_address_collection shipping_options ' +
    'submit_type subscription_data success_url tax_id_collection ui_mode wallet_options'
  ).split(' '),
);

/** Stripe's ceiling on a charge: eight digits in minor units (999,999.99 USD). */
const MAX_AMOUNT = 99_999_999;
const MIN_TTL_S = 30 * 60;
const MAX_TTL_S = 24 * 60 * 60;

export function validateSessionCreate(form: FormObject, nowS: number): ParamResult<SessionDraft> {
  const unknown = unknownParam(form, KNOWN);
  if (unknown) return err(unknown);

  const mode = readString(form, 'mode', 'mode');
  if (!mode.ok) return mode;
  if (mode.value === null) return err(missing('mode'));
  if (mode.value !== 'payment') {
    const known = ['payment', 'setup', 'subscription'].includes(mode.value);
    return err(
      invalid(
        known
          ? `The fake Stripe only implements mode=payment, not mode=${mode.value}.`
          : `Invalid mode: must be one of payment, setup, or subscription`,
        'mode',
        'parameter_invalid_string_format',
      ),
    );
  }

  const uiMode = readString(form, 'ui_mode', 'ui_mode');
  if (!uiMode.ok) return uiMode;
  if (uiMode.value !== null && uiMode.value !== 'hosted' && uiMode.value !== 'hosted_page') {
    return err(
      invalid(
        `The fake Stripe only implements hosted Checkout, not ui_mode=${uiMode.value}.`,
        'ui_mode',
        null,
      ),
    );
  }

  const items = readLineItems(form);
  if (!items.ok) return items;

  const successUrl = readUrl(form, 'success_url');
  if (!successUrl.ok) return successUrl;
  const cancelUrl = readUrl(form, 'cancel_url');
  if (!cancelUrl.ok) return cancelUrl;

  const clientReferenceId = readString(form, 'client_reference_id', 'client_reference_id');
  if (!clientReferenceId.ok) return clientReferenceId;
  if (clientReferenceId.value !== null && clientReferenceId.value.length > 200) {
    return err(
      invalid(
        'Invalid string: client_reference_id must be at most 200 characters',
        'client_reference_id',
        'parameter_invalid_string_format',
      ),
    );
  }

  const metadata = readMetadata(form, 'metadata', 'metadata');
  if (!metadata.ok) return metadata;
  const intentData = readHash(form, 'payment_intent_data', 'payment_intent_data');
  if (!intentData.ok) return intentData;
  const intentMetadata = intentData.value
    ? readMetadata(intentData.value, 'metadata', 'payment_intent_data[metadata]')
    : ok({});
  if (!intentMetadata.ok) return intentMetadata;

  const expiresAt = readInteger(form, 'expires_at', 'expires_at', { min: 0 });
  if (!expiresAt.ok) return expiresAt;
  if (expiresAt.value !== null && expiresAt.value - nowS < MIN_TTL_S) {
    return err(
      invalid(
        'The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.',
        'expires_at',
        'parameter_invalid_integer',
      ),
    );
  }
  if (expiresAt.value !== null && expiresAt.value - nowS > MAX_TTL_S) {
    return err(
      invalid(
        'The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.',
        'expires_at',
        'parameter_invalid_integer',
      ),
    );
  }

  const customerEmail = readString(form, 'customer_email', 'customer_email');
  if (!customerEmail.ok) return customerEmail;
  const locale = readString(form, 'locale', 'locale');
  if (!locale.ok) return locale;
  const methodTypes = readStringList(form, 'payment_method_types');
  if (!methodTypes.ok) return methodTypes;
  const expand = readStringList(form, 'expand');
  if (!expand.ok) return expand;

  return ok({
    ...items.value,
    clientReferenceId: clientReferenceId.value,
    metadata: metadata.value,
    paymentIntentMetadata: intentMetadata.value,
    successUrl: successUrl.value,
    cancelUrl: cancelUrl.value,
    customerEmail: customerEmail.value,
    locale: locale.value,
    // Without a list Stripe offers what the dashboard enables; the fake offers a card and a bank debit.
    paymentMethodTypes: methodTypes.value ?? ['card', 'us_bank_account'],
    expiresAt: expiresAt.value ?? nowS + MAX_TTL_S,
    expand: expand.value ?? [],
  });
}

function readLineItems(
  form: FormObject,
): ParamResult<Pick<SessionDraft, 'currency' | 'amountTotal' | 'lineItems' | 'receivedLineItems'>> {
  const received = field(form, 'line_items');
  if (received === undefined) return err(missing('line_items'));
  if (!Array.isArray(received)) return err(invalid('Invalid array', 'line_items', null));
  if (received.length === 0) return err(invalid('Invalid array', 'line_items', 'parameter_invalid_empty'));

  const lineItems: SessionDraft['lineItems'][number][] = [];
  for (const [index, raw] of received.entries()) {
    const at = `line_items[${index}]`;
    if (!isFormObject(raw)) return err(invalid('Invalid hash', at, null));
    const price = readString(raw, 'price', `${at}[price]`);
    if (!price.ok) return price;
    if (price.value !== null) {
      // The fake keeps no catalogue: every price is inline `price_data`, as Kassa sends it.
      return err(invalid(`No such price: '${price.value}'`, `${at}[price]`, 'resource_missing'));
    }
    const data = readHash(raw, 'price_data', `${at}[price_data]`);
    if (!data.ok) return data;
    if (data.value === null) return err(missing(`${at}[price_data]`));
    const item = readPriceData(data.value, `${at}[price_data]`);
    if (!item.ok) return item;
    const quantity = readInteger(raw, 'quantity', `${at}[quantity]`, { min: 1, max: 999_999 });
    if (!quantity.ok) return quantity;
    if (quantity.value === null) return err(missing(`${at}[quantity]`));
    const first = lineItems[0];
    if (first && first.currency !== item.value.currency) {
      return err(
        invalid(
          `All line items must have the same currency: ${at} is ${item.value.currency}, line_items[0] is ${first.currency}.`,
          `${at}[price_data][currency]`,
          null,
        ),
      );
    }
    lineItems.push({ ...item.value, quantity: quantity.value });
  }

  const first = lineItems[0];
  if (!first) return err(invalid('Invalid array', 'line_items', 'parameter_invalid_empty'));
  const amountTotal = lineItems.reduce((sum, item) => sum + item.unitAmount * item.quantity, 0);
  if (amountTotal > MAX_AMOUNT) {
    return err(
      invalid(
        `The Checkout Session's total amount due must be no more than ${MAX_AMOUNT} (in ${first.currency} minor units).`,
        'line_items',
        'amount_too_large',
      ),
    );
  }
  return ok({ currency: first.currency, amountTotal, lineItems, receivedLineItems: received });
}

function readPriceData(
  data: FormObject,
  at: string,
): ParamResult<Readonly<{ name: string; currency: string; unitAmount: number }>> {
  const currency = readString(data, 'currency', `${at}[currency]`);
  if (!currency.ok) return currency;
  if (currency.value === null) return err(missing(`${at}[currency]`));
  // Stripe wants the lowercase ISO code; the fake is strict so an uppercase slip shows up in tests.
  if (!isSupportedCurrency(currency.value)) {
    return err(
      invalid(
        `Invalid currency: ${currency.value}. Stripe currently supports these currencies: ${supportedCurrencies()}`,
        `${at}[currency]`,
        'parameter_invalid_string_format',
      ),
    );
  }

  const product = readString(data, 'product', `${at}[product]`);
  if (!product.ok) return product;
  if (product.value !== null) {
    return err(invalid(`No such product: '${product.value}'`, `${at}[product]`, 'resource_missing'));
  }
  const productData = readHash(data, 'product_data', `${at}[product_data]`);
  if (!productData.ok) return productData;
  if (productData.value === null) return err(missing(`${at}[product_data]`));
  const name = readString(productData.value, 'name', `${at}[product_data][name]`);
  if (!name.ok) return name;
  if (name.value === null) return err(missing(`${at}[product_data][name]`));
  if (name.value.trim() === '') {
    const param = `${at}[product_data][name]`;
    return err(
      invalid(
        `You passed an empty string for '${param}'. We assume empty values are an attempt to unset a ` +
          `parameter; however '${param}' cannot be unset. You should remove '${param}' from your request ` +
          'or supply a non-empty value.',
        param,
        'parameter_invalid_string_empty',
      ),
    );
  }

  if (field(data, 'unit_amount_decimal') !== undefined) {
    return err(
      invalid(
        'The fake Stripe only implements integer unit_amount, not unit_amount_decimal.',
        `${at}[unit_amount_decimal]`,
        null,
      ),
    );
  }
  const unitAmount = readInteger(data, 'unit_amount', `${at}[unit_amount]`, { min: 0, max: MAX_AMOUNT });
  if (!unitAmount.ok) return unitAmount;
  if (unitAmount.value === null) return err(missing(`${at}[unit_amount]`));
  if (THREE_DECIMAL.has(currency.value) && unitAmount.value % 10 !== 0) {
    return err(threeDecimalError(currency.value, unitAmount.value, `${at}[unit_amount]`));
  }
  return ok({ name: name.value, currency: currency.value, unitAmount: unitAmount.value });
}

/** Stripe's rule for BHD, JOD, KWD, OMR, TND: three minor digits, but the last one must be 0. */
export function threeDecimalError(currency: string, amount: number, param: string) {
  return invalid(
    `Invalid amount: ${amount}. ${currency.toUpperCase()} is a three-decimal currency and amounts must be ` +
      `divisible by 10 (round ${amount} to ${Math.round(amount / 10) * 10}). ` +
      'See https://stripe.com/docs/currencies#three-decimal.',
    param,
    'invalid_charge_amount',
  );
}
