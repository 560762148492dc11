/**
 * JSON documents served over HTTPS from a loopback port, as a Client ID Metadata Document is:
 * a self-signed certificate for 127.0.0.1 made with openssl for the test, and trusted by this
 * process's TLS clients (fetch included) until close().
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getCACertificates, setDefaultCACertificates } from "node:tls";

export interface HttpsDocuments {
  origin: string;
  /** The self-signed certificate (PEM), for processes that must trust it (NODE_EXTRA_CA_CERTS). */
  cert: string;
  /** Serves body as JSON at path from now on. */
  set(path: string, body: unknown): void;
  /** The paths requested so far. */
  requests: string[];
  close(): Promise<void>;
}

function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), "cs-cert-"));
  try {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        join(dir, "key.pem"),
        "-out",
        join(dir, "cert.pem"),
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
      ],
      { stdio: "ignore" },
    );
    return {
      key: readFileSync(join(dir, "key.pem"), "utf8"),
      cert: readFileSync(join(dir, "cert.pem"), "utf8"),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function serveHttpsDocuments(): Promise<HttpsDocuments> {
  const { key, cert } = selfSignedCertificate();
  const documents = new Map<string, string>();
  const requests: string[] = [];
  const server: Server = createServer({ key, cert }, (req, res) => {
    requests.push(req.url ?? "");
    const body = documents.get(req.url ?? "");
    if (body === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": "application/json" }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  const trusted = getCACertificates("default");
  setDefaultCACertificates([...trusted, cert]);
  return {
    origin: `https://127.0.0.1:${port}`,
    cert,
    set: (path, body) => void documents.set(path, JSON.stringify(body)),
    requests,
    async close() {
      setDefaultCACertificates(trusted);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
