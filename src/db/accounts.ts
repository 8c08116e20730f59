import type { Db } from './client.ts';

/** A URL-safe slug from an account name: `Contoso Ltd.` → `contoso-ltd`. */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug || 'account';
}

/** The name's slug, numbered (`contoso-2`) when another account already has it. */
export async function uniqueSlug(db: Pick<Db, 'account'>, name: string): Promise<string> {
  const base = slugify(name);
  const taken = new Set(
    (await db.account.findMany({ where: { slug: { startsWith: base } }, select: { slug: true } })).map((row) => row.slug),
  );
  let candidate = base;
  for (let suffix = 2; taken.has(candidate); suffix += 1) candidate = `${base}-${suffix}`;
  return candidate;
}
