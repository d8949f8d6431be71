// Text that goes into a ledger event (jsonb) or a PostgreSQL text column must hold neither U+0000
// nor an unpaired surrogate: both are refused by the database (or the ledger) and would surface
// as a 500, or block a consumer. Other control characters are refused as well (line breaks and
// tabs are allowed where `allowLineBreaks`).

/** Why `text` cannot be stored as is, or undefined when it can. */
export function textProblem(
  text: string,
  options: { allowLineBreaks?: boolean } = {},
): string | undefined {
  for (let index = 0; index < text.length; index += 1) {
    const unit = text.charCodeAt(index);
    if (unit <= 0x1f || (unit >= 0x7f && unit <= 0x9f)) {
      const lineBreak = unit === 0x09 || unit === 0x0a || unit === 0x0d;
      if (!(lineBreak && options.allowLineBreaks === true)) return 'contains a control character';
      continue;
    }
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(index + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return 'contains an unpaired surrogate';
      index += 1;
      continue;
    }
    if (unit >= 0xdc00 && unit <= 0xdfff) return 'contains an unpaired surrogate';
  }
  return undefined;
}
