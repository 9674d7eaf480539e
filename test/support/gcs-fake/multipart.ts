export interface MultipartPart {
  headers: Headers;
  body: Buffer;
}

export function boundaryOf(contentType: string | null): string | undefined {
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  return match?.[1] ?? match?.[2];
}

/**
 * Splits a multipart body (RFC 2046) on its boundary. Works on bytes, since the
 * media part is binary (PNG) and must not be decoded as text. Returns undefined
 * when the body is not well formed.
 */
export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] | undefined {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let cursor = body.indexOf(delimiter);
  if (cursor === -1) return undefined;
  for (;;) {
    cursor += delimiter.length;
    // "--" right after a delimiter closes the body.
    if (body[cursor] === 0x2d && body[cursor + 1] === 0x2d) return parts;
    const lineEnd = body.indexOf('\r\n', cursor);
    if (lineEnd === -1) return undefined;
    const headerEnd = body.indexOf('\r\n\r\n', lineEnd);
    if (headerEnd === -1) return undefined;
    const headerBlock =
      headerEnd === lineEnd ? '' : body.subarray(lineEnd + 2, headerEnd).toString();
    // The CRLF before the next delimiter belongs to the delimiter, not to the data.
    const next = body.indexOf(Buffer.from(`\r\n--${boundary}`), headerEnd + 4);
    if (next === -1) return undefined;
    const headers = new Headers();
    for (const line of headerBlock.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
    }
    parts.push({ headers, body: body.subarray(headerEnd + 4, next) });
    cursor = next + 2;
  }
}
