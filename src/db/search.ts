// Text normalisation for search, applied both to what is stored (search_text columns) and to
// what people type, so that "المدرسة", "مدرسه" and "مَدْرَسَة" find each other, and "Médina"
// finds "medina". SQLite's word tokenizers miss Arabic with diacritics or the article, so we
// normalise in the application and match substrings (FTS5 trigram on SQLite, pg_trgm on
// PostgreSQL).

const TASHKEEL = /[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640]/g; // harakat, Quranic marks, tatweel
const COMBINING = /[\u0300-\u036f]/g;

/** The Arabic article with the one-letter prefixes that attach to it: ال، وال، بال، فال، كال، لل. */
const ARTICLE = /(^|\s)(?:[وفبك]?ال|لل)(?=\S{2,})/g;

export function normalizeSearchText(input: string): string {
  return (
    input
      .normalize('NFKD')
      .replace(COMBINING, '')
      .replace(TASHKEEL, '')
      .replace(/[أإآٱ]/g, 'ا')
      .replace(/ى/g, 'ي')
      .replace(/ة/g, 'ه')
      .replace(/ؤ/g, 'و')
      .replace(/ئ/g, 'ي')
      .replace(/[٠-٩]/g, (d) => String(d.charCodeAt(0) - 0x0660))
      .toLowerCase()
      .replace(/œ/g, 'oe')
      .replace(/æ/g, 'ae')
      .replace(/[^\p{L}\p{N}]+/gu, ' ')
      .replace(ARTICLE, '$1')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

/** The words of a query, normalised, longest first; words under 3 letters cannot use a trigram index. */
export function searchTerms(query: string): string[] {
  const words = normalizeSearchText(query).split(' ').filter((w) => w.length > 0);
  return [...new Set(words)].sort((a, b) => b.length - a.length).slice(0, 8);
}

/** Escapes % and _ for a LIKE pattern (with ESCAPE '\'). */
export function likeEscape(term: string): string {
  return term.replace(/[\\%_]/g, (c) => `\\${c}`);
}
