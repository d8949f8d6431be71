/**
 * Syntax checks shared by the CloudEvents envelope and the event schemas. Each returns a short
 * reason when the text is not acceptable, or undefined when it is; callers attach codes.
 */

/**
 * CloudEvents `String`: Unicode without control characters (U+0000-U+001F, U+007F-U+009F),
 * noncharacters, or unpaired surrogates. Those are what break headers and logs downstream.
 */
export function unicodeProblem(text: string): string | undefined {
  for (let index = 0; index < text.length; index += 1) {
    const unit = text.charCodeAt(index);
    if (unit <= 0x1f || (unit >= 0x7f && unit <= 0x9f)) return 'contains a control character';
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(index + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return 'contains an unpaired surrogate';
      const codePoint = ((unit - 0xd800) << 10) + (next - 0xdc00) + 0x10000;
      if ((codePoint & 0xfffe) === 0xfffe) return 'contains a Unicode noncharacter';
      index += 1;
      continue;
    }
    if (unit >= 0xdc00 && unit <= 0xdfff) return 'contains an unpaired surrogate';
    if ((unit >= 0xfdd0 && unit <= 0xfdef) || unit === 0xfffe || unit === 0xffff) {
      return 'contains a Unicode noncharacter';
    }
  }
  return undefined;
}

const URI_CHARACTERS = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]*$/;
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*$/;

/**
 * RFC 3986 URI-reference, checked syntactically: allowed characters, percent-encoding, a
 * well-formed scheme when one is present (a colon before any "/", "?" or "#"), one fragment at
 * most, and square brackets only around an IP literal in the authority.
 */
export function uriReferenceProblem(text: string): string | undefined {
  if (text.length === 0) return 'is empty';
  if (!URI_CHARACTERS.test(text)) return 'contains characters not allowed in a URI';
  if (/%(?![0-9A-Fa-f]{2})/.test(text)) return 'contains a malformed percent-encoding';
  const hash = text.indexOf('#');
  if (hash !== -1 && text.indexOf('#', hash + 1) !== -1) return 'contains more than one "#"';
  const schemeEnd = /^[^/?#:]*:/.exec(text);
  let rest = text;
  if (schemeEnd !== null) {
    const scheme = schemeEnd[0].slice(0, -1);
    if (!SCHEME.test(scheme)) return `has a malformed scheme "${scheme}"`;
    rest = text.slice(schemeEnd[0].length);
  }
  let authority = '';
  if (rest.startsWith('//')) {
    const end = rest.slice(2).search(/[/?#]/);
    authority = end === -1 ? rest.slice(2) : rest.slice(2, end + 2);
    rest = end === -1 ? '' : rest.slice(end + 2);
  }
  if (/[[\]]/.test(rest)) return 'uses "[" or "]" outside an IP literal';
  if (
    /[[\]]/.test(authority) &&
    !/^(?:[^@[\]]*@)?\[[0-9A-Za-z:.]+\](?::[0-9]*)?$/.test(authority)
  ) {
    return 'has a malformed IP literal';
  }
  return undefined;
}

/** RFC 3986 absolute-URI (section 4.3): a URI-reference with a scheme and no fragment. */
export function absoluteUriProblem(text: string): string | undefined {
  const problem = uriReferenceProblem(text);
  if (problem !== undefined) return problem;
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(text)) return 'must be an absolute URI with a scheme';
  if (text.includes('#')) return 'must not contain a fragment';
  return undefined;
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

/**
 * RFC 3339 date-time (section 5.6), with calendar checks. Fractions are bounded to 9 digits
 * (nanoseconds); "T"/"Z" may be lower case as the RFC allows; a space instead of "T" is not.
 */
export function timestampProblem(text: string): string | undefined {
  const match = RFC3339.exec(text);
  if (match === null) return 'must be an RFC 3339 date-time such as 2025-01-31T12:00:00Z';
  const [year, month, day, hour, minute, second, offsetHour, offsetMinute] = match
    .slice(1)
    .map((part) => (part === undefined ? 0 : Number(part)));
  if (month === undefined || month < 1 || month > 12) return 'has an invalid month';
  if (day === undefined || day < 1 || day > daysInMonth(year ?? 0, month)) {
    return 'has an invalid day';
  }
  if ((hour ?? 0) > 23 || (minute ?? 0) > 59 || (second ?? 0) > 60) return 'has an invalid time';
  if ((offsetHour ?? 0) > 23 || (offsetMinute ?? 0) > 59) return 'has an invalid offset';
  return undefined;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

const TOKEN = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+";
const QUOTED = '"(?:[^"\\\\\\x00-\\x1f]|\\\\.)*"';
const MEDIA_TYPE = new RegExp(
  `^${TOKEN}/${TOKEN}(?:[ \\t]*;[ \\t]*${TOKEN}=(?:${TOKEN}|${QUOTED}))*[ \\t]*$`,
);

/** RFC 2045/6838 media type with optional parameters: `application/json; charset=utf-8`. */
export function mediaTypeProblem(text: string): string | undefined {
  return MEDIA_TYPE.test(text) ? undefined : 'must be a media type such as application/json';
}

/** `type/subtype` in lower case, parameters dropped. */
export function mediaTypeEssence(text: string): string {
  return (text.split(';')[0] ?? '').trim().toLowerCase();
}

/** JSON-formatted per the CloudEvents JSON format: subtype `json` or a `+json` suffix. */
export function isJsonMediaType(text: string): boolean {
  const subtype = mediaTypeEssence(text).split('/')[1] ?? '';
  return subtype === 'json' || subtype.endsWith('+json');
}
