/**
 * The issuer, or its key set, could not be reached or made no sense: the token may be good, so
 * the request is answered 503 (retry shortly), never 401 and never served.
 */
export class IssuerUnavailable extends Error {
  override name = "IssuerUnavailable";
}
