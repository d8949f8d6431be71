import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, Max, Min, ValidateBy, ValidationOptions } from 'class-validator';
import { API_KEY_PATTERN } from '../auth/api-key';

/*
 * Validators for values that arrive as strings from the environment. Messages leave out the
 * variable name: loadConfig prefixes it and, for non-secret variables, appends the raw value.
 */

const digitsOnly = /^[0-9]{1,16}$/;

/** A decimal integer in [min, max]; anything else (" 1", "1.5", "1e3", "") is rejected. */
export function IntegerVar(min: number, max: number): PropertyDecorator {
  const message = `must be an integer between ${min} and ${max}`;
  return applyDecorators(
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' && digitsOnly.test(value) ? Number(value) : value,
    ),
    IsInt({ message }),
    Min(min, { message }),
    Max(max, { message }),
  );
}

export function OneOfVar(values: readonly string[]): PropertyDecorator {
  return IsIn([...values], { message: `must be one of ${values.join(', ')}` });
}

/** A string matching `pattern`, described by `expectation` (e.g. "a lowercase SQL identifier"). */
export function PatternVar(pattern: RegExp, expectation: string): PropertyDecorator {
  return ValidateBy(
    {
      name: 'patternVar',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && pattern.test(value),
        defaultMessage: () => `must be ${expectation}`,
      },
    },
    {},
  );
}

const hostPattern =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})*|\[[0-9A-Fa-f:.]+\])$/;
const maxListItems = 100;

function isHostPort(item: string): boolean {
  const separator = item.lastIndexOf(':');
  if (separator <= 0) return false;
  const port = item.slice(separator + 1);
  if (!digitsOnly.test(port) || Number(port) < 1 || Number(port) > 65535) return false;
  return hostPattern.test(item.slice(0, separator));
}

/** A comma-separated list of host:port pairs, e.g. `kafka-0:9092,kafka-1:9092`. */
export function HostPortListVar(): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' ? value.split(',').map((item) => item.trim()) : value,
    ),
    ValidateBy({
      name: 'hostPortList',
      validator: {
        validate: (value: unknown) =>
          Array.isArray(value) &&
          value.length > 0 &&
          value.length <= maxListItems &&
          value.every((item) => typeof item === 'string' && isHostPort(item)),
        defaultMessage: () =>
          `must be a comma-separated list of host:port (at most ${maxListItems})`,
      },
    }),
  );
}

/** A PostgreSQL connection URL (postgres:// or postgresql://) with a host and a database. */
export function PostgresUrlVar(options: ValidationOptions = {}): PropertyDecorator {
  return ValidateBy(
    {
      name: 'postgresUrl',
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string' || !URL.canParse(value)) return false;
          const url = new URL(value);
          const protocolOk = url.protocol === 'postgres:' || url.protocol === 'postgresql:';
          return protocolOk && url.hostname !== '' && url.pathname.length > 1;
        },
        defaultMessage: () =>
          'must be a PostgreSQL URL such as postgres://user:password@host:5432/database',
      },
    },
    options,
  );
}

/** The listen address: a host name, an IPv4 address or an IPv6 address. */
export function ListenHostVar(): PropertyDecorator {
  return PatternVar(
    /^(?:[A-Za-z0-9.-]{1,253}|[0-9A-Fa-f:.]{2,45})$/,
    'a host name or an IP address to listen on',
  );
}

/** A whole API key, `plf_<keyId>_<secret>` (see libs/platform/src/auth/api-key.ts). */
export function ApiKeyVar(): PropertyDecorator {
  return PatternVar(
    API_KEY_PATTERN,
    'an API key plf_<12 characters a-z 0-9>_<43 characters base64url>',
  );
}
