/**
 * `setup <host> --url URL`: an entry for a clicksend-mcp that runs elsewhere over Streamable HTTP
 * (OAuth mode, docs/oauth.md), in each host's own remote-server shape. No secret is written: the
 * host signs in with OAuth itself, or, with `--token-env VAR`, sends `Authorization: Bearer` with
 * a reference to a variable (or a prompt) the host fills in.
 * Shapes, from each host's documentation: VS Code `type: "http"` + `url` (and `inputs`); Cursor
 * `url`; Claude Code `type: "http"` + `url`, `${VAR}` expanded in headers; Codex `url` +
 * `bearer_token_env_var`; Windsurf `serverUrl`, `${env:VAR}` in headers; Gemini CLI `httpUrl`.
 */
import type { HostEntry } from "./hosts.js";

export interface RemoteForm {
  /** The entry for the server at `url`; the host runs OAuth against it. */
  entry(url: string): Record<string, unknown>;
  /**
   * The fields (and VS Code's `inputs`) that send the static token as a bearer token, read from
   * `variable` in the host's own syntax; absent when the host's docs give no way to.
   */
  bearer?(variable: string): HostEntry;
  /** How to sign in once the entry is there. */
  signIn: string;
  /** Where the token comes from with --token-env VAR. */
  tokenNote?(variable: string): string;
}

/** A host whose config file takes no server URL: what to do instead. */
export interface NoRemote {
  instead(url: string): string;
}

export const HTTP_TOKEN_INPUT = "clicksend-http-token";

const authorization = (value: string) => ({ headers: { Authorization: `Bearer ${value}` } });

export const REMOTE: Record<string, RemoteForm | NoRemote> = {
  "claude-desktop": {
    instead: (url) =>
      "Claude Desktop's config file takes no server URL. Add it as a custom connector instead:\n" +
      "Settings → Connectors → Add custom connector, with the name you like and the URL\n" +
      `  ${url}\n` +
      "then Connect, and sign in on the server's page. Custom connectors use OAuth (or no\n" +
      "authentication): the server needs OAuth mode (docs/oauth.md). Nothing was written.\n",
  },
  "claude-code": {
    entry: (url) => ({ type: "http", url }),
    bearer: (variable) => ({ entry: authorization(`\${${variable}}`) }),
    signIn: "in Claude Code, run /mcp, choose the server and Authenticate (a browser opens).",
    tokenNote: (v) => `Claude Code expands \${${v}} in headers from the environment it starts in`,
  },
  cursor: {
    entry: (url) => ({ url }),
    bearer: (variable) => ({ entry: authorization(`\${env:${variable}}`) }),
    signIn: "Cursor's MCP settings show the server with a button to sign in.",
    tokenNote: (v) => `Cursor reads \${env:${v}} from its own environment`,
  },
  vscode: {
    entry: (url) => ({ type: "http", url }),
    bearer: () => ({
      entry: authorization(`\${input:${HTTP_TOKEN_INPUT}}`),
      inputs: [
        {
          id: HTTP_TOKEN_INPUT,
          type: "promptString",
          description: "clicksend-mcp HTTP token",
          password: true,
        },
      ],
    }),
    signIn: "VS Code asks you to sign in when the server starts (MCP: List Servers, Start).",
    tokenNote: () =>
      "VS Code prompts for the token once (its `inputs`) and keeps it in its secret storage; it does not read the variable",
  },
  codex: {
    entry: (url) => ({ url }),
    bearer: (variable) => ({ entry: { bearer_token_env_var: variable } }),
    signIn: "run `codex mcp login <name>` (a browser opens).",
    tokenNote: (v) => `Codex reads the token from ${v} (bearer_token_env_var)`,
  },
  windsurf: {
    entry: (url) => ({ serverUrl: url }),
    bearer: (variable) => ({ entry: authorization(`\${env:${variable}}`) }),
    signIn: "refresh Windsurf's MCP servers; it asks you to sign in.",
    tokenNote: (v) => `Windsurf interpolates \${env:${v}} from its own environment`,
  },
  gemini: {
    entry: (url) => ({ httpUrl: url }),
    signIn: "in Gemini CLI, run /mcp auth <name> (a browser opens).",
  },
};

export const isNoRemote = (form: RemoteForm | NoRemote): form is NoRemote => "instead" in form;

const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;
const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]{0,99}$/;

/** The URL to write, or the problem with it: https, or http on loopback only; no credentials. */
export function checkRemoteUrl(raw: string): { url: string } | { problem: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { problem: "--url must be an absolute URL, e.g. https://texts.example.com/mcp" };
  }
  if (url.username || url.password) {
    return { problem: "--url must not carry a user name or password" };
  }
  if (url.protocol === "http:" && !LOOPBACK.test(url.hostname)) {
    return { problem: "--url must use https (http only for 127.0.0.1, [::1] or localhost)" };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return { problem: "--url must use https (http only for 127.0.0.1, [::1] or localhost)" };
  }
  if (url.hash) return { problem: "--url must not have a #fragment" };
  return { url: url.href };
}

export const checkVariable = (name: string): string | undefined =>
  VARIABLE.test(name)
    ? undefined
    : "--token-env must name an environment variable (letters, digits and _, not starting with a digit)";
