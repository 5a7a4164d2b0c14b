// Free text (names, consignee fields, remarks, reasons) that the ERP, JD and PostgreSQL can all carry.
// PostgreSQL refuses NUL in text and `\u0000` in jsonb, and JSON with an unpaired UTF-16 surrogate; a
// value it refuses inside an activity would otherwise be retried for ever. Other control characters and
// bidirectional overrides are refused because they make a waybill or a log line read differently from
// what it holds (a consignee name that displays backwards). Pure and dependency-free: the workflow
// sandbox checks signals with it, the API's zod text type is built on it.

export interface TextRules {
  /** Allow line breaks (LF, CR) — only for fields people really write paragraphs in, such as a remark. */
  lineBreaks?: boolean;
}

/** Unicode's bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069). */
function isBidiControl(unit: number): boolean {
  return (unit >= 0x202a && unit <= 0x202e) || (unit >= 0x2066 && unit <= 0x2069);
}

function codePoint(unit: number): string {
  return `U+${unit.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Why `value` cannot be stored as free text, worded as the rest of a sentence that starts with the field's
 * name ("must not contain …"); undefined when it can. Names the first offending character by code point
 * only, so the answer never echoes what was typed around it.
 */
export function textProblem(value: string, rules: TextRules = {}): string | undefined {
  for (let i = 0; i < value.length; i += 1) {
    const unit = value.charCodeAt(i);
    const at = `at position ${i + 1}`;
    if (unit === 0) return `must not contain the NUL character (U+0000, ${at}): the database cannot store it`;
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i += 1; // a well-formed pair: one astral character such as an emoji
        continue;
      }
      return `must not contain an unpaired UTF-16 surrogate (${codePoint(unit)}, ${at}): it is not valid Unicode and the database cannot store it`;
    }
    if (unit >= 0xdc00 && unit <= 0xdfff) {
      return `must not contain an unpaired UTF-16 surrogate (${codePoint(unit)}, ${at}): it is not valid Unicode and the database cannot store it`;
    }
    if (unit === 0x0a || unit === 0x0d) {
      if (rules.lineBreaks) continue;
      return `must be a single line (line break ${codePoint(unit)} ${at})`;
    }
    // C0 controls, DEL and the C1 controls: invisible, and terminal escapes among them.
    if (unit < 0x20 || (unit >= 0x7f && unit <= 0x9f)) return `must not contain the control character ${codePoint(unit)} (${at})`;
    if (isBidiControl(unit)) return `must not contain the bidirectional control ${codePoint(unit)} (${at}): it makes the text display differently from what it holds`;
  }
  return undefined;
}

export function isStorableText(value: string, rules: TextRules = {}): boolean {
  return textProblem(value, rules) === undefined;
}
