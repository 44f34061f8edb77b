/**
 * Generated parts of hand-written Markdown pages, between two comments:
 *
 *   <!-- BEGIN GENERATED config-reference: npm run docs -->
 *   …
 *   <!-- END GENERATED config-reference -->
 *
 * The prose around them stays hand-written; what is between them is rewritten by `npm run docs` and compared by
 * the test suite, so it cannot drift from its source.
 */

const beginMarker = (id: string) => `<!-- BEGIN GENERATED ${id}: npm run docs -->`;
const endMarker = (id: string) => `<!-- END GENERATED ${id} -->`;

/** `text` with the region `id` holding `content`; an error when the page lacks the region's markers. */
export function replaceGeneratedRegion(text: string, id: string, content: string): string {
  const begin = text.indexOf(beginMarker(id));
  const end = text.indexOf(endMarker(id));
  if (begin < 0 || end < begin) throw new Error(`no generated region '${id}' (add the lines ${beginMarker(id)} and ${endMarker(id)})`);
  return `${text.slice(0, begin)}${beginMarker(id)}\n${content}\n${text.slice(end)}`;
}
