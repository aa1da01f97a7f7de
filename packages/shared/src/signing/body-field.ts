/** A non-empty string field at the top of a JSON object body (a provider's event id), if the body has one. */
export function bodyStringField(parsedBody: () => unknown, field: string): string | undefined {
  try {
    const body = parsedBody();
    if (body === null || typeof body !== 'object' || !Object.hasOwn(body, field)) return undefined;
    const value = (body as Record<string, unknown>)[field];
    return typeof value === 'string' && value.length > 0 ? value : undefined;
  } catch {
    return undefined; // not JSON: no body id
  }
}
