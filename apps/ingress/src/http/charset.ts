const charsetParameter = /;\s*charset\s*=\s*"?([^";\s]*)/i;

/**
 * The charset a Content-Type names when it is not UTF-8 (compared case-insensitively), else undefined. Bodies are
 * always decoded as UTF-8, so a sender declaring another charset would have its text silently misread.
 */
export function foreignCharset(contentType: string | undefined): string | undefined {
  if (contentType === undefined || !contentType.includes(';')) return undefined;
  const charset = charsetParameter.exec(contentType)?.[1];
  return charset !== undefined && charset.toLowerCase() !== 'utf-8' ? charset : undefined;
}
