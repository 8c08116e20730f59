/**
 * Text matching with LIKE, in one place, so that what a caller types matches
 * literally: `%`, `_` and `\` are escaped, and only the pattern's own
 * wildcards (TQL's `*`) are left for PostgreSQL to expand.
 */

/** `text` as a LIKE pattern that matches exactly it (PostgreSQL's default escape character is `\`). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, '\\$&');
}

/**
 * A Prisma string condition: the whole value matches the LIKE `pattern`,
 * ignoring case. Prisma's own `contains`/`startsWith`/`endsWith` splice the
 * caller's text into a LIKE without escaping it, and several of them on a
 * relation filter can be met by different rows; an insensitive `equals` is
 * one `ILIKE $1` on one value (test/query/like-http.test.ts holds it to that).
 */
export function ilike(pattern: string) {
  return { equals: pattern, mode: 'insensitive' as const };
}

export const containsText = (text: string) => ilike(`%${escapeLike(text)}%`);
export const startsWithText = (text: string) => ilike(`${escapeLike(text)}%`);
