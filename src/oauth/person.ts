/**
 * Who is calling, over HTTP with OAuth: the access token's subject and, when it carries one, a
 * display name. Absent over stdio and with the static bearer token.
 */
export interface Person {
  /** The token's `sub`: stable, and what per-person limits count against. */
  sub: string;
  /** The token's `name` claim, when it has one. */
  name?: string;
}
