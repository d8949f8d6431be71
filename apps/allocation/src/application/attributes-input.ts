// Unit attributes as the API takes them (integer or decimal strings) → the domain's weights.
import { DOMAIN_ERROR_CODES, DomainError, type AttributeInput } from '../domain';

const DECIMAL = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;
/** Enough digits for any weight; the domain bounds the value and the scale again. */
const MAX_DIGITS = 40;

function invalid(field: string, reason: string): DomainError {
  return new DomainError(DOMAIN_ERROR_CODES.commandInvalid, `${field}: ${reason}`, {
    field,
    reason,
  });
}

/** `"42"` → 42n, `"1234.56"` → { value: 123456n, scale: 2 }, null → null (removes it). */
export function parseAttributeValues(
  values: Readonly<Record<string, string | null>>,
): Record<string, AttributeInput> {
  if (typeof values !== 'object' || values === null || Array.isArray(values))
    throw invalid('attributes', 'must be an object of attribute name → value');
  const parsed: Record<string, AttributeInput> = {};
  for (const [name, value] of Object.entries(values)) {
    const field = `attributes.${name}`;
    let weight: AttributeInput;
    if (value === null) weight = null;
    else {
      const match =
        typeof value === 'string' && value.length <= MAX_DIGITS + 1 ? DECIMAL.exec(value) : null;
      if (match === null)
        throw invalid(field, 'must be a non-negative integer or decimal string, or null');
      const fraction = match[2];
      weight =
        fraction === undefined
          ? BigInt(match[1] as string)
          : { value: BigInt(`${match[1] as string}${fraction}`), scale: fraction.length };
    }
    Object.defineProperty(parsed, name, {
      value: weight,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return parsed;
}
