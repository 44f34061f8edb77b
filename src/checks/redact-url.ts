/** Drops credentials, query and fragment from a URL before it goes into an alert or the journal (tokens live there). */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    url.username = "";
    url.password = "";
    url.search = "";
    url.hash = "";
    return url.toString();
  } catch {
    return "<invalid url>";
  }
}
