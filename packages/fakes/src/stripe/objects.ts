import type {
  ChargeRecord,
  DisputeRecord,
  LineItemRecord,
  PaymentIntentRecord,
  RefundRecord,
  SessionRecord,
} from './records';

// Stripe's JSON, field for field as in shared/fixtures/stripe (stripe/openapi fixtures, API
// 2026-07-29.dahlia). Keys stay in Stripe's alphabetical order so a diff against a fixture reads.

export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };
export type JsonObject = { readonly [key: string]: Json };

/** The payer every fake checkout is completed by. */
const PAYER = { name: 'Jenny Rosen', email: 'jenny.rosen@example.com', country: 'US', postalCode: '94103' };

function address(): JsonObject {
  return {
    city: null,
    country: PAYER.country,
    line1: null,
    line2: null,
    postal_code: PAYER.postalCode,
    state: null,
  };
}

export function checkoutPageUrl(baseUrl: string, sessionId: string): string {
  return `${baseUrl}/c/pay/${sessionId}`;
}

export function sessionJson(s: SessionRecord, baseUrl: string): JsonObject {
  return {
    adaptive_pricing: { enabled: false },
    after_expiration: null,
    allow_promotion_codes: null,
    amount_subtotal: s.amountTotal,
    amount_total: s.amountTotal,
    automatic_tax: { enabled: false, liability: null, provider: null, status: null },
    billing_address_collection: null,
    cancel_url: s.cancelUrl,
    client_reference_id: s.clientReferenceId,
    client_secret: null,
    collected_information: null,
    consent: null,
    consent_collection: null,
    created: s.created,
    currency: s.currency,
    currency_conversion: null,
    custom_fields: [],
    custom_text: {
      after_submit: null,
      shipping_address: null,
      submit: null,
      terms_of_service_acceptance: null,
    },
    customer: null,
    customer_account: null,
    customer_creation: 'if_required',
    customer_details:
      s.status === 'complete'
        ? {
            address: address(),
            business_name: null,
            email: s.customerEmail ?? PAYER.email,
            individual_name: null,
            name: PAYER.name,
            phone: null,
            tax_exempt: 'none',
            tax_ids: [],
          }
        : null,
    customer_email: s.customerEmail,
    discounts: [],
    expires_at: s.expiresAt,
    id: s.id,
    integration_identifier: null,
    invoice: null,
    invoice_creation: {
      enabled: false,
      invoice_data: {
        account_tax_ids: null,
        custom_fields: null,
        description: null,
        footer: null,
        issuer: null,
        metadata: {},
        rendering_options: null,
      },
    },
    livemode: false,
    locale: s.locale,
    managed_payments: { enabled: false },
    metadata: { ...s.metadata },
    mode: 'payment',
    object: 'checkout.session',
    origin_context: null,
    payment_intent: s.paymentIntentId,
    payment_link: null,
    payment_method_collection: 'if_required',
    payment_method_configuration_details: null,
    payment_method_options: paymentMethodOptions(s.paymentMethodTypes),
    payment_method_types: [...s.paymentMethodTypes],
    payment_status: s.paymentStatus,
    permissions: null,
    phone_number_collection: { enabled: false },
    recovered_from: null,
    saved_payment_method_options: null,
    setup_intent: null,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: [],
    status: s.status,
    submit_type: null,
    subscription: null,
    success_url: s.successUrl,
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    ui_mode: 'hosted',
    // Stripe clears the hosted page's address once the session is no longer open.
    url: s.status === 'open' ? checkoutPageUrl(baseUrl, s.id) : null,
    wallet_options: null,
  };
}

function paymentMethodOptions(types: readonly string[]): JsonObject {
  const options: Record<string, Json> = {};
  if (types.includes('card')) options['card'] = { request_three_d_secure: 'automatic' };
  if (types.includes('us_bank_account')) options['us_bank_account'] = { verification_method: 'automatic' };
  return options;
}

export function lineItemsListJson(s: SessionRecord): JsonObject {
  return {
    object: 'list',
    data: s.lineItems.map((item) => lineItemJson(item, s.created)),
    has_more: false,
    url: `/v1/checkout/sessions/${s.id}/line_items`,
  };
}

function lineItemJson(item: LineItemRecord, created: number): JsonObject {
  const total = item.unitAmount * item.quantity;
  return {
    id: item.id,
    object: 'item',
    amount_discount: 0,
    amount_subtotal: total,
    amount_tax: 0,
    amount_total: total,
    currency: item.currency,
    description: item.name,
    price: {
      id: item.priceId,
      object: 'price',
      active: false,
      billing_scheme: 'per_unit',
      created,
      currency: item.currency,
      custom_unit_amount: null,
      livemode: false,
      lookup_key: null,
      metadata: {},
      nickname: null,
      product: item.productId,
      recurring: null,
      tax_behavior: 'unspecified',
      tiers_mode: null,
      transform_quantity: null,
      type: 'one_time',
      unit_amount: item.unitAmount,
      unit_amount_decimal: String(item.unitAmount),
    },
    quantity: item.quantity,
  };
}

export function paymentIntentJson(pi: PaymentIntentRecord, charge: ChargeRecord | undefined): JsonObject {
  const failed = pi.status === 'requires_payment_method';
  return {
    id: pi.id,
    object: 'payment_intent',
    amount: pi.amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: pi.status === 'succeeded' ? pi.amount : 0,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: null,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: 'automatic_async',
    client_secret: `${pi.id}_secret_fake`,
    confirmation_method: 'automatic',
    created: pi.created,
    currency: pi.currency,
    customer: null,
    description: null,
    last_payment_error: failed
      ? {
          code: 'insufficient_funds',
          message: 'The customer’s account has insufficient funds to cover this payment.',
          type: 'invalid_request_error',
        }
      : null,
    latest_charge: charge ? charge.id : null,
    livemode: false,
    metadata: { ...pi.metadata },
    next_action: null,
    on_behalf_of: null,
    payment_method: failed ? null : pi.paymentMethodId,
    payment_method_configuration_details: null,
    payment_method_options: paymentMethodOptions([pi.method]),
    payment_method_types: [pi.method],
    processing: null,
    receipt_email: null,
    review: null,
    setup_future_usage: null,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: pi.status,
    transfer_data: null,
    transfer_group: null,
  };
}

export function chargeJson(c: ChargeRecord): JsonObject {
  return {
    amount: c.amount,
    amount_captured: c.status === 'succeeded' ? c.amount : 0,
    amount_refunded: c.amountRefunded,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: c.status === 'succeeded' ? c.balanceTransactionId : null,
    billing_details: {
      address: address(),
      email: c.billingEmail,
      name: PAYER.name,
      phone: null,
      tax_id: null,
    },
    calculated_statement_descriptor: null,
    captured: c.status !== 'failed',
    created: c.created,
    currency: c.currency,
    customer: null,
    description: null,
    disputed: c.disputed,
    failure_balance_transaction: null,
    failure_code: c.status === 'failed' ? 'insufficient_funds' : null,
    failure_message:
      c.status === 'failed' ? 'The customer’s account has insufficient funds to cover this payment.' : null,
    fraud_details: {},
    id: c.id,
    livemode: false,
    metadata: {},
    object: 'charge',
    on_behalf_of: null,
    outcome: {
      advice_code: null,
      network_advice_code: null,
      network_decline_code: null,
      network_status: 'approved_by_network',
      reason: null,
      risk_level: 'normal',
      risk_score: 21,
      seller_message: 'Payment complete.',
      type: 'authorized',
    },
    paid: c.status === 'succeeded',
    payment_intent: c.paymentIntentId,
    payment_method: c.paymentMethodId,
    payment_method_details: c.method === 'card' ? cardDetails(c.amount) : bankDebitDetails(),
    receipt_email: null,
    receipt_number: null,
    receipt_url: `https://pay.stripe.com/receipts/payment/fake_${c.id}`,
    // True only once every minor unit is back with the payer.
    refunded: c.amountRefunded === c.amount,
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: c.status,
    transfer_data: null,
    transfer_group: null,
  };
}

function cardDetails(amount: number): JsonObject {
  return {
    card: {
      amount_authorized: amount,
      brand: 'visa',
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
      country: 'US',
      exp_month: 8,
      exp_year: 2030,
      extended_authorization: { status: 'disabled' },
      fingerprint: 'AOB934RVNwzk6xtn',
      funding: 'credit',
      incremental_authorization: { status: 'unavailable' },
      installments: { plan: { count: null, interval: null, type: 'fixed_count' } },
      last4: '4242',
      mandate: null,
      multicapture: { status: 'unavailable' },
      network: 'visa',
      network_token: { used: false },
      overcapture: { maximum_amount_capturable: amount, status: 'unavailable' },
      three_d_secure: {
        authentication_flow: null,
        electronic_commerce_indicator: null,
        exemption_indicator: null,
        result: null,
        result_reason: null,
        transaction_id: null,
        version: null,
      },
      wallet: null,
      authorization_code: null,
      regulated_status: null,
      network_transaction_id: null,
      transaction_link_id: null,
    },
    type: 'card',
  };
}

function bankDebitDetails(): JsonObject {
  return {
    type: 'us_bank_account',
    us_bank_account: {
      account_holder_type: 'individual',
      account_type: 'checking',
      bank_name: 'STRIPE TEST BANK',
      fingerprint: 'FFDMA0xfhBjWSZLu',
      last4: '6789',
      mandate: null,
      payment_reference: null,
      routing_number: '110000000',
    },
  };
}

export function refundJson(r: RefundRecord): JsonObject {
  return {
    id: r.id,
    object: 'refund',
    amount: r.amount,
    balance_transaction: r.balanceTransactionId,
    charge: r.chargeId,
    created: r.created,
    currency: r.currency,
    destination_details:
      r.method === 'card'
        ? {
            card: {
              reference: null,
              reference_status: 'pending',
              reference_type: 'acquirer_reference_number',
              type: 'refund',
            },
            type: 'card',
          }
        : { type: 'us_bank_transfer', us_bank_transfer: { reference: null, reference_status: 'pending' } },
    metadata: { ...r.metadata },
    payment_intent: r.paymentIntentId,
    reason: r.reason,
    receipt_number: null,
    source_transfer_reversal: null,
    status: r.status,
    ...(r.status === 'failed' ? { failure_reason: 'expired_or_canceled_card' } : {}),
    transfer_reversal: null,
  };
}

const EVIDENCE_FIELDS = [
  'access_activity_log',
  'billing_address',
  'cancellation_policy',
  'cancellation_policy_disclosure',
  'cancellation_rebuttal',
  'customer_communication',
  'customer_email_address',
  'customer_name',
  'customer_purchase_ip',
  'customer_signature',
  'duplicate_charge_documentation',
  'duplicate_charge_explanation',
  'duplicate_charge_id',
  'product_description',
  'receipt',
  'refund_policy',
  'refund_policy_disclosure',
  'refund_refusal_explanation',
  'service_date',
  'service_documentation',
  'shipping_address',
  'shipping_carrier',
  'shipping_date',
  'shipping_documentation',
  'shipping_tracking_number',
  'uncategorized_file',
  'uncategorized_text',
] as const;

export function disputeJson(d: DisputeRecord): JsonObject {
  const evidence: Record<string, Json> = {};
  for (const name of EVIDENCE_FIELDS) evidence[name] = null;
  evidence['enhanced_evidence'] = {};
  return {
    id: d.id,
    object: 'dispute',
    amount: d.amount,
    balance_transactions: [],
    charge: d.chargeId,
    created: d.created,
    currency: d.currency,
    enhanced_eligibility_types: [],
    evidence,
    evidence_details: {
      due_by: d.created + 7 * 86_400,
      enhanced_eligibility: {},
      has_evidence: false,
      past_due: false,
      submission_count: 0,
    },
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    network_reason_code: d.method === 'card' ? '10.4' : null,
    payment_intent: d.paymentIntentId,
    payment_method_details:
      d.method === 'card'
        ? { card: { brand: 'visa', case_type: 'chargeback', network_reason_code: '10.4' }, type: 'card' }
        : { type: 'us_bank_account', us_bank_account: {} },
    reason: 'fraudulent',
    status: d.status,
  };
}

export type EventRequest = Readonly<{ id: string | null; idempotency_key: string | null }>;

/** Stripe's event envelope. `request.id` is null when Stripe itself (a payer, a timer) caused it. */
export function eventJson(input: {
  id: string;
  type: string;
  apiVersion: string;
  created: number;
  object: JsonObject;
  previousAttributes?: JsonObject;
  pendingWebhooks: number;
  request: EventRequest;
}): JsonObject {
  return {
    id: input.id,
    object: 'event',
    api_version: input.apiVersion,
    created: input.created,
    data: input.previousAttributes
      ? { object: input.object, previous_attributes: input.previousAttributes }
      : { object: input.object },
    livemode: false,
    pending_webhooks: input.pendingWebhooks,
    request: { id: input.request.id, idempotency_key: input.request.idempotency_key },
    type: input.type,
  };
}

/** The body of a Stripe error response. `code`, `param` and `doc_url` appear only when they apply. */
export type StripeErrorSpec = Readonly<{
  status: number;
  type: 'invalid_request_error' | 'idempotency_error' | 'api_error';
  message: string;
  code: string | null;
  param: string | null;
}>;

export function errorJson(e: StripeErrorSpec, requestId: string): JsonObject {
  const error: Record<string, Json> = {};
  if (e.code !== null) error['code'] = e.code;
  if (e.code !== null) error['doc_url'] = `https://stripe.com/docs/error-codes/${e.code.replace(/_/g, '-')}`;
  error['message'] = e.message;
  if (e.param !== null) error['param'] = e.param;
  error['request_log_url'] = `https://dashboard.stripe.com/test/logs/${requestId}`;
  error['type'] = e.type;
  return { error };
}
