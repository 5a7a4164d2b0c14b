// The zod type of every free-text field the API accepts: trimmed, non-empty, at most `max` characters,
// and only text the database, JD and a reader can all take (domain/text.ts says why). Kept apart from
// text.ts because workflow code imports that one, and the workflow sandbox has no zod.
import { z } from 'zod';
import { textProblem, type TextRules } from './text';

export interface FreeTextOptions extends TextRules {
  max: number;
  /** Why the limit is what it is (JD's field size, say), for the message a too-long value gets. */
  maxMessage?: string;
}

export function freeText({ max, maxMessage, lineBreaks = false }: FreeTextOptions) {
  const rules: TextRules = { lineBreaks };
  return z
    .string()
    .trim()
    .min(1)
    .max(max, maxMessage)
    .check((ctx) => {
      const problem = textProblem(ctx.value, rules);
      // `input` is left out on purpose: the issue would carry the whole value, personal data included.
      if (problem !== undefined) ctx.issues.push({ code: 'custom', message: problem, input: undefined, continue: true });
    })
    .meta({
      description: lineBreaks
        ? 'Free text; line breaks allowed. No other control characters, bidirectional overrides (U+202A–U+202E, U+2066–U+2069), NUL or unpaired surrogates.'
        : 'Free text on one line. No control characters, bidirectional overrides (U+202A–U+202E, U+2066–U+2069), NUL or unpaired surrogates.',
    });
}
