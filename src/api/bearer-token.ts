/** The token of an `Authorization: Bearer <token>` header (the OpenAI endpoint's keys, /metrics' scrape token), or undefined. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const token = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1]?.trim();
  return token === '' ? undefined : token;
}
