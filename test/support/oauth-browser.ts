/**
 * A person's browser for the built-in authorization server's consent page, driven with fetch:
 * redirects followed by hand (redirect: "manual") on the issuer's origin, cookies kept in a jar,
 * the consent form parsed and submitted. It stops at the first redirect that leaves the issuer
 * (the client's redirect URI, where the code or error is) or at a page.
 */

export interface Stop {
  /** The last response's status. */
  status: number;
  /** Where it was sent, when it left the issuer's origin. */
  redirect?: URL;
  /** The page's HTML, when it stopped at one. */
  html?: string;
}

export class Browser {
  private readonly jar = new Map<string, string>();

  /** origins: the issuer's; the first is where relative URLs point. */
  private readonly origins: string[];

  constructor(origins: string | string[]) {
    this.origins = typeof origins === "string" ? [origins] : origins;
  }

  private remember(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*expires=.*1970/i.test(a)) || value === "";
      if (expired) this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }

  private cookieHeader(): string {
    return [...this.jar].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  /** Requests url and follows redirects on the issuer until a page or a redirect away. */
  async go(
    url: string | URL,
    init: { method?: string; form?: URLSearchParams } = {},
  ): Promise<Stop> {
    let next = new URL(url, this.origins[0]);
    let method = init.method ?? "GET";
    let body: string | undefined = init.form?.toString();
    for (let hops = 0; hops < 10; hops++) {
      const headers: Record<string, string> = { cookie: this.cookieHeader() };
      if (body !== undefined) headers["content-type"] = "application/x-www-form-urlencoded";
      const response = await fetch(next, {
        method,
        headers,
        redirect: "manual",
        ...(body === undefined ? {} : { body }),
      });
      this.remember(response);
      const location = response.headers.get("location");
      if (response.status >= 300 && response.status < 400 && location) {
        await response.arrayBuffer();
        next = new URL(location, next);
        if (!this.origins.includes(next.origin)) return { status: response.status, redirect: next };
        method = "GET";
        body = undefined;
        continue;
      }
      return { status: response.status, html: await response.text() };
    }
    throw new Error("too many redirects");
  }

  /** Submits the consent page's form with these fields and the button's action. */
  async submit(html: string, fields: Record<string, string>): Promise<Stop> {
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new Error(`no consent form in:\n${html}`);
    return this.go(action.replaceAll("&amp;", "&"), {
      method: "POST",
      form: new URLSearchParams(fields),
    });
  }
}
