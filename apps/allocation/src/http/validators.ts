// class-validator decorators for the values DTOs carry as text: exact amounts and time-travel
// points. They run in the validation pipe, so every bad field of a request is reported at once.
import { parseQuantity, QuantityError } from '@plafond/contracts';
import { PlafondError } from '@plafond/platform';
import { ValidateBy, type ValidationOptions } from 'class-validator';
import { AS_OF_FORMAT, parseAsOf } from './request-parsing';

function quantityProblem(value: unknown, allowZero: boolean): string | undefined {
  try {
    parseQuantity(value, { field: 'value', allowZero });
    return undefined;
  } catch (error) {
    if (error instanceof QuantityError) return `${error.detail} (${error.code})`;
    throw error;
  }
}

/**
 * A non-negative integer amount: a decimal string (`"1500000"`) or a JSON number that is a safe
 * integer. Floats, exponents, signs and leading zeros are refused.
 */
export function IsQuantityInput(
  options: { allowZero?: boolean } = {},
  validationOptions?: ValidationOptions,
): PropertyDecorator {
  const allowZero = options.allowZero ?? true;
  return ValidateBy(
    {
      name: 'isQuantityInput',
      validator: {
        validate: (value: unknown) => quantityProblem(value, allowZero) === undefined,
        defaultMessage: (args) =>
          `${args?.property ?? 'amount'} must be a decimal integer string or a safe integer: ` +
          `${quantityProblem(args?.value, allowZero) ?? 'invalid'}`,
      },
    },
    validationOptions,
  );
}

/** `asOf`: an ISO-8601 instant with a zone, or `position:<n>`. */
export function IsAsOf(validationOptions?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isAsOf',
      validator: {
        validate: (value: unknown) => {
          try {
            parseAsOf(value);
            return true;
          } catch (error) {
            if (error instanceof PlafondError) return false;
            throw error;
          }
        },
        defaultMessage: (args) => `${args?.property ?? 'asOf'} must be ${AS_OF_FORMAT}`,
      },
    },
    validationOptions,
  );
}

/** Only meaningful together with another field's value (e.g. a cap only on an allowed class). */
export function OnlyWhen(
  condition: (object: object) => boolean,
  explanation: string,
  validationOptions?: ValidationOptions,
): PropertyDecorator {
  return ValidateBy(
    {
      name: 'onlyWhen',
      validator: {
        validate: (_value: unknown, args) => args !== undefined && condition(args.object),
        defaultMessage: (args) => `${args?.property ?? 'value'} ${explanation}`,
      },
    },
    validationOptions,
  );
}
