/**
 * What a schema found wrong with an input, in the shape zod (and Standard Schema) report it. Only
 * the fields read here are named, so core needs no schema library.
 */
export type SchemaIssue = Readonly<{
  code?: string | undefined;
  path?: readonly (PropertyKey | Readonly<{ key: PropertyKey }>)[] | undefined;
  message: string;
  expected?: string | undefined;
  received?: string | undefined;
  keys?: readonly string[] | undefined;
  values?: readonly unknown[] | undefined;
  options?: readonly unknown[] | undefined;
  origin?: string | undefined;
  minimum?: number | bigint | undefined;
  maximum?: number | bigint | undefined;
  inclusive?: boolean | undefined;
  exact?: boolean | undefined;
  format?: string | undefined;
  pattern?: string | undefined;
  prefix?: string | undefined;
  suffix?: string | undefined;
  includes?: string | undefined;
  divisor?: number | bigint | undefined;
  note?: string | undefined;
  errors?: readonly (readonly SchemaIssue[])[] | undefined;
}>;

/** One problem with an input, for programs: where (`field` as a person writes it, `path` as data), what, and the sentence. */
export type InputIssue = Readonly<{
  /** `lineItems[0].quantity`; empty for the input as a whole. */
  field: string;
  path: readonly (string | number)[];
  /** The schema's issue code (`invalid_type`, `unrecognized_keys`, `too_small`, …). */
  code: string;
  message: string;
}>;

export type DescribedInput = Readonly<{
  /** Every problem as one line: `currency is required; unknown field 'tip'`. */
  message: string;
  issues: readonly InputIssue[];
}>;

export type DescribeOptions = Readonly<{
  /**
   * Name the type that was sent (`amount must be a string, not a number`). Off where every value
   * arrives as a string and is coerced, as in the environment, where it would mislead.
   */
  nameReceived?: boolean;
}>;

/**
 * Turns a schema's issue list into sentences naming the field and the problem. `input` is what was
 * parsed: a field missing from it is "required" whatever the schema's code says. Values are never
 * echoed (an input may carry secrets), only their kind.
 */
export function describeIssues(
  issues: readonly SchemaIssue[],
  input: unknown,
  options: DescribeOptions = {},
): DescribedInput {
  const described: InputIssue[] = [];
  for (const issue of issues) {
    const path = (issue.path ?? []).map(segmentOf);
    const code = issue.code ?? 'custom';
    if (code === 'unrecognized_keys' && issue.keys && issue.keys.length > 0) {
      // One entry per key, each pointing at the key itself: a program can strip exactly those.
      for (const key of issue.keys) {
        const keyPath = [...path, key];
        described.push({
          field: fieldOf(keyPath),
          path: keyPath,
          code,
          message: `unknown field '${fieldOf(keyPath)}'`,
        });
      }
      continue;
    }
    described.push({
      field: fieldOf(path),
      path,
      code,
      message: sentenceFor(issue, path, input, options.nameReceived ?? true),
    });
  }
  const message =
    described.length > 0 ? described.map((issue) => issue.message).join('; ') : 'the input is not valid';
  return { message, issues: described };
}

function segmentOf(segment: PropertyKey | Readonly<{ key: PropertyKey }>): string | number {
  const key = typeof segment === 'object' ? segment.key : segment;
  return typeof key === 'number' ? key : String(key);
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `lineItems[0].quantity`, `metadata["order id"]`. */
export function fieldOf(path: readonly (string | number)[]): string {
  let field = '';
  for (const segment of path) {
    if (typeof segment === 'number') field += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) field += field === '' ? segment : `.${segment}`;
    else field += `[${JSON.stringify(segment)}]`;
  }
  return field;
}

// zod's own English messages; anything else was written by the schema's author and is kept.
const DEFAULT_MESSAGE = /^(Invalid|Too (small|big)|Unrecognized key)/;

function sentenceFor(
  issue: SchemaIssue,
  path: readonly (string | number)[],
  input: unknown,
  nameReceived: boolean,
): string {
  const field = path.length > 0 ? fieldOf(path) : 'the input';
  const found = valueAt(input, path);
  const authored = !DEFAULT_MESSAGE.test(issue.message);
  switch (issue.code) {
    case 'invalid_type':
    case 'invalid_value':
    case 'invalid_union':
      if (!found.present) return `${field} is required`;
      break;
    default:
      break;
  }
  switch (issue.code) {
    case 'invalid_type': {
      const expected = kindName(issue.expected ?? 'unknown');
      const received = found.present ? receivedKind(found.value) : null;
      const sameFamily =
        received === null ||
        (received === 'a number' && (issue.expected === 'int' || issue.expected === 'number'));
      return nameReceived && !sameFamily
        ? `${field} must be ${expected}, not ${received}`
        : `${field} must be ${expected}`;
    }
    case 'invalid_value': {
      const values = issue.values ?? [];
      if (values.length === 1) return `${field} must be ${quote(values[0])}`;
      return `${field} must be one of ${values.map(quote).join(', ')}`;
    }
    case 'invalid_union': {
      if (issue.options && issue.options.length > 0) {
        return `${field} must be one of ${issue.options.map(quote).join(', ')}`;
      }
      const kinds = (issue.errors ?? []).map((alternative) =>
        alternative.length === 1 &&
        alternative[0]?.code === 'invalid_type' &&
        (alternative[0].path ?? []).length === 0
          ? kindName(alternative[0].expected ?? 'unknown')
          : null,
      );
      if (kinds.length > 0 && kinds.every((kind) => kind !== null)) {
        return `${field} must be ${[...new Set(kinds)].join(' or ')}`;
      }
      return `${field} matches none of the forms it may take`;
    }
    case 'too_small':
      return `${field} ${lowerBound(issue)}`;
    case 'too_big':
      return `${field} ${upperBound(issue)}`;
    case 'invalid_format':
      return authored ? mustBe(field, issue.message) : `${field} ${formatRule(issue)}`;
    case 'not_multiple_of':
      return `${field} must be a multiple of ${String(issue.divisor)}`;
    case 'invalid_key':
      return `${field} has a key that is not valid`;
    case 'invalid_element':
      return `${field} has a value that is not valid`;
    default:
      if (!authored) return `${field} is not valid`;
      return path.length > 0 ? mustBe(field, issue.message) : issue.message;
  }
}

/** An author's message is what the value must be ("a Stellar account id (G…)"), unless it already names the field. */
function mustBe(field: string, message: string): string {
  return message.startsWith(field) ? message : `${field} must be ${message}`;
}

function lowerBound(issue: SchemaIssue): string {
  const n = String(issue.minimum);
  const inclusive = issue.inclusive !== false;
  switch (issue.origin) {
    case 'string':
      if (issue.exact) return `must be exactly ${n} ${plural(n, 'character')} long`;
      if (n === '1' && inclusive) return 'must not be empty';
      return `must be at least ${n} ${plural(n, 'character')} long`;
    case 'array':
    case 'set':
      if (issue.exact) return `must have exactly ${n} ${plural(n, 'item')}`;
      if (n === '1' && inclusive) return 'must not be empty';
      return `must have at least ${n} ${plural(n, 'item')}`;
    case 'date':
      return `must be ${inclusive ? 'on or after' : 'after'} ${dateOf(issue.minimum)}`;
    default:
      return inclusive ? `must be at least ${n}` : `must be more than ${n}`;
  }
}

function upperBound(issue: SchemaIssue): string {
  const n = String(issue.maximum);
  const inclusive = issue.inclusive !== false;
  switch (issue.origin) {
    case 'string':
      if (issue.exact) return `must be exactly ${n} ${plural(n, 'character')} long`;
      return `must be at most ${n} ${plural(n, 'character')} long`;
    case 'array':
    case 'set':
      if (issue.exact) return `must have exactly ${n} ${plural(n, 'item')}`;
      return `must have at most ${n} ${plural(n, 'item')}`;
    case 'date':
      return `must be ${inclusive ? 'on or before' : 'before'} ${dateOf(issue.maximum)}`;
    default:
      return inclusive ? `must be at most ${n}` : `must be less than ${n}`;
  }
}

function formatRule(issue: SchemaIssue): string {
  switch (issue.format) {
    case 'url':
      // zod's "Invalid URL format" is an http(s)-only URL given without `http://` or `https://`.
      if (
        issue.note === 'Invalid URL format' ||
        (issue.note === 'Invalid protocol' && issue.pattern === '^https?$')
      ) {
        return 'must be an http or https URL';
      }
      if (issue.note === 'Invalid protocol')
        return `must be a URL whose scheme matches /${issue.pattern ?? ''}/`;
      if (issue.note === 'Invalid hostname')
        return `must be a URL whose host matches /${issue.pattern ?? ''}/`;
      return 'must be a URL';
    case 'email':
      return 'must be an email address';
    case 'uuid':
    case 'guid':
      return 'must be a UUID';
    case 'datetime':
      return 'must be a date and time in ISO 8601, like 2026-12-06T10:00:00Z';
    case 'date':
      return 'must be a date like 2026-12-06';
    case 'regex':
      return issue.pattern ? `must match ${issue.pattern}` : 'is not in the expected format';
    case 'starts_with':
      return `must start with ${quote(issue.prefix)}`;
    case 'ends_with':
      return `must end with ${quote(issue.suffix)}`;
    case 'includes':
      return `must contain ${quote(issue.includes)}`;
    case 'lowercase':
      return 'must be lowercase';
    case 'uppercase':
      return 'must be uppercase';
    default:
      return issue.format ? `must be a valid ${issue.format}` : 'is not in the expected format';
  }
}

const KIND_NAMES: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  bigint: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  tuple: 'a list',
  object: 'an object',
  record: 'an object',
  map: 'a map',
  set: 'a set',
  date: 'a date',
  null: 'null',
  undefined: 'absent',
};

function kindName(expected: string): string {
  return KIND_NAMES[expected] ?? expected;
}

function receivedKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
  return kindName(typeof value);
}

function valueAt(input: unknown, path: readonly (string | number)[]): { present: boolean; value: unknown } {
  let current: unknown = input;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return { present: false, value: undefined };
    if (!Object.prototype.hasOwnProperty.call(current, segment)) return { present: false, value: undefined };
    current = (current as Record<string | number, unknown>)[segment];
  }
  return { present: current !== undefined, value: current };
}

function quote(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'bigint') return `${value}`;
  return JSON.stringify(value) ?? String(value);
}

function plural(n: string, noun: string): string {
  return n === '1' ? noun : `${noun}s`;
}

function dateOf(bound: number | bigint | undefined): string {
  return bound === undefined ? 'the limit' : new Date(Number(bound)).toISOString();
}
