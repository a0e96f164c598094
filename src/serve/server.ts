/**
 * The HTTP service: `POST /predict`, `GET /healthz`, and the web page that runs the same model
 * in the browser; and the draw-a-digit page (`GET /mnist`), which runs an H6.1 network in the browser
 * (its model at `/mnist/model.onnx`, what it is at `/mnist/info.json`; see `mnist.ts`). Bad input gets
 * a JSON error and never stops the server.
 *
 * What bounds it (issue 10):
 * - memory per request follows the bytes received (see `body.ts`), at most {@link MAX_BODY_BYTES};
 * - inference runs in a worker pool (see `pool.ts`), never on the event loop; too much pending
 *   work gets 503 with Retry-After;
 * - timeouts for the request headers, the whole request and an idle keep-alive connection;
 * - static files come from memory with an ETag (304 on If-None-Match), HEAD wherever GET;
 * - every response carries `X-Content-Type-Options: nosniff` and a Content-Security-Policy; on a
 *   loopback address a Host header that names another server gets 421 (DNS rebinding).
 *
 * It runs on `node:http`, not `Deno.serve`: Deno.serve (2.9) has no header, body or idle
 * timeouts, cannot drop a connection from a handler (a body that stops short holds its
 * connection after the reply), and its request-body chunks each pin a 64 KB buffer until
 * garbage collection (a 20,000-chunk body still added 70-145 MB of RSS when each chunk was
 * copied at once). Deno's `node:http` has the timeouts and kept the same burst under 15 MB.
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { InputError } from "../core/input.ts";
import { decide } from "../core/metrics.ts";
import { SPEC } from "../core/spec.ts";
import { type Asset, loadAssets, makeAsset, matchesEtag } from "./assets.ts";
import { checkJsonContentType, MAX_BODY_BYTES, parsePredictBody, readBody, truncate } from "./body.ts";
import type { ServedModel } from "./model.ts";
import { mnistInfo, NO_MNIST, type ServedMnist } from "./mnist.ts";
import { BusyError, InferencePool } from "./pool.ts";

export { MAX_BODY_BYTES };
export type { ServedMnist, ServedModel };

/** Timeouts, in ms. */
export interface Timeouts {
  /** From connection (or the previous request) to the end of the request headers (default 10 s). */
  headersMs?: number;
  /** From connection to the end of the request body (default 30 s); then 408 and the connection closes. */
  requestMs?: number;
  /** An idle keep-alive connection is closed after this (default 5 s). */
  idleMs?: number;
}

/** The defaults of {@link Timeouts}. */
export const DEFAULT_TIMEOUTS: Readonly<Required<Timeouts>> = Object.freeze({
  headersMs: 10_000,
  requestMs: 30_000,
  idleMs: 5_000,
});

/** Options of {@link startServer}. */
export interface ServerOptions {
  /** The address to listen on. */
  host: string;
  /** The port; 0 picks a free one. */
  port: number;
  /** The served model. */
  model: ServedModel;
  /** The H6.1 run directory the draw-a-digit page runs (`loadServedMnist`); without it the page says there is none. */
  mnist?: ServedMnist;
  /** Aborting it stops the server. */
  signal?: AbortSignal;
  /** Called once listening. */
  onListen?: (addr: { hostname: string; port: number }) => void;
  /** Request and connection timeouts. */
  timeouts?: Timeouts;
  /** Inference workers (default 1). */
  workers?: number;
  /** Most rows per inference run (default 500). */
  sliceRows?: number;
  /** Most rows accepted and not yet answered, beyond which 503 (default 20,000). */
  maxPendingRows?: number;
}

/** A listening server. */
export interface RunningServer {
  /** Where it listens. */
  addr: { hostname: string; port: number };
  /** Resolves once the server has stopped (after the signal is aborted). */
  finished: Promise<void>;
}

/** The server cannot listen: `kind` "usage" for a bad host, "io" for a port in use or refused. */
export class ServeError extends Error {
  /** The error's name. */
  override name = "ServeError";
  /** Whether the caller gave a bad address ("usage") or the system refused ("io"). */
  readonly kind: "usage" | "io";
  /**
   * Names why the server cannot listen.
   *
   * @param message What failed, with the address.
   * @param kind "usage" or "io".
   * @param options The underlying error.
   */
  constructor(message: string, kind: "usage" | "io", options?: ErrorOptions) {
    super(message, options);
    this.kind = kind;
  }
}

const WEB_DIR = new URL("../web/", import.meta.url);
const ORT_DIST = new URL("../../node_modules/onnxruntime-web/dist/", import.meta.url);
const ORT_FILES = ["ort.wasm.min.mjs", "ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm"];

const enc = new TextEncoder();

/** A reply before it is written. */
interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
  /** Close the connection after the reply (the request body was not read). */
  close?: boolean;
}

const json = (value: unknown, status = 200, headers: Record<string, string> = {}): Reply => ({
  status,
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(value),
});
const error = (message: string, status: number, headers: Record<string, string> = {}, close = false): Reply => ({
  ...json({ error: message }, status, headers),
  close,
});

const sha256Base64 = async (text: string) =>
  btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.digest("SHA-256", enc.encode(text)))));

/**
 * The Content-Security-Policy: same-origin scripts and WebAssembly, the pages' inline styles by
 * hash, nothing else.
 *
 * @param pages The pages' HTML.
 * @returns The header's value.
 */
async function contentSecurityPolicy(pages: string[]): Promise<string> {
  const styles = await Promise.all(
    pages.flatMap((page) => [...page.matchAll(/<style[^>]*>([\s\S]*?)<\/style>/g)]).map(async (m) =>
      `'sha256-${await sha256Base64(m[1])}'`
    ),
  );
  return [
    "default-src 'none'",
    "script-src 'self' 'wasm-unsafe-eval'",
    `style-src 'self' ${styles.join(" ")}`.trim(),
    "connect-src 'self'",
    "img-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

const isLoopback = (host: string) => host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);

/**
 * Host header values that name this server when it listens on loopback.
 *
 * @param host The listening host.
 * @param port The listening port.
 * @returns The accepted values, lower case.
 */
function allowedHosts(host: string, port: number): Set<string> {
  const names = new Set(["localhost", "127.0.0.1", "[::1]", host.includes(":") ? `[${host}]` : host]);
  const out = new Set<string>();
  for (const name of names) {
    out.add(`${name}:${port}`);
    if (port === 80) out.add(name);
  }
  return out;
}

/**
 * Maps a listen error to a {@link ServeError}.
 *
 * @param e What listen raised.
 * @param where `host:port`.
 * @returns The error to throw.
 */
function listenError(e: unknown, host: string, port: number): Error {
  const code = (e as { code?: string }).code ?? "";
  const where = `${host.includes(":") ? `[${host}]` : host}:${port}`;
  if (code === "EADDRINUSE" || e instanceof Deno.errors.AddrInUse) {
    return new ServeError(`Cannot listen on ${where}: the address is in use`, "io", { cause: e });
  }
  if (code === "EACCES" || e instanceof Deno.errors.PermissionDenied) {
    return new ServeError(`Cannot listen on ${where}: permission denied`, "io", { cause: e });
  }
  if (e instanceof Deno.errors.NotCapable) {
    return new ServeError(`Cannot listen on ${where}: ${(e as Error).message}`, "usage", { cause: e });
  }
  if (/^(ENOTFOUND|EAI_|EADDRNOTAVAIL|EINVAL)/.test(code) || e instanceof Deno.errors.AddrNotAvailable) {
    return new ServeError(
      `Cannot listen on host ${JSON.stringify(truncate(host))}: not an address of this machine`,
      "usage",
      { cause: e },
    );
  }
  return new ServeError(`Cannot listen on ${where}: ${(e as Error).message}`, "io", { cause: e });
}

/**
 * Starts the service: loads the model into the inference workers (checking its answers on a
 * probe batch), reads the static files once, then listens.
 *
 * @param options Host, port (0 picks a free one), the served model, an abort signal, bounds.
 * @returns The running server.
 * @throws {ServeError} The address cannot be used.
 * @throws {ModelOutputError} The model answers outside [0, 1] on the probe batch.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { model, host } = options;
  const mnist = options.mnist ?? NO_MNIST;
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const config = model.metrics.config;
  const pool = await InferencePool.create({
    bytes: model.bytes,
    name: `${model.dir}/model.onnx`,
    seriesLength: config.seriesLength,
    digitValues: SPEC.digitValues,
    workers: options.workers,
    sliceRows: options.sliceRows,
    maxPendingRows: options.maxPendingRows,
  });
  let assets: Map<string, Asset>;
  let csp: string;
  try {
    assets = await loadAssets({
      "/": new URL("index.html", WEB_DIR),
      "/app.js": new URL("app.js", WEB_DIR),
      "/core/digits.js": new URL("../core/digits.js", WEB_DIR),
      "/mnist": new URL("mnist.html", WEB_DIR),
      "/mnist.js": new URL("mnist.js", WEB_DIR),
      "/mnist_prep.js": new URL("mnist_prep.js", WEB_DIR),
      ...Object.fromEntries(ORT_FILES.map((f) => [`/vendor/ort/${f}`, new URL(f, ORT_DIST)])),
    });
    assets.set("/model.onnx", await makeAsset(model.bytes, "model.onnx"));
    assets.set("/spec.json", await makeAsset(enc.encode(JSON.stringify(SPEC)), "spec.json"));
    if (mnist.available) assets.set("/mnist/model.onnx", await makeAsset(mnist.bytes, "model.onnx"));
    assets.set("/mnist/info.json", await makeAsset(enc.encode(JSON.stringify(mnistInfo(mnist))), "info.json"));
    csp = await contentSecurityPolicy(["/", "/mnist"].map((page) => new TextDecoder().decode(assets.get(page)!.bytes)));
  } catch (e) {
    await pool.close();
    throw e;
  }
  const security = { "x-content-type-options": "nosniff", "content-security-policy": csp };
  const identity = { sha256: model.sha256, validationAccuracy: model.validationAccuracy, arch: model.arch };
  let hosts: Set<string> | null = null; // set once listening, when the host is loopback

  const predict = async (req: IncomingMessage): Promise<Reply> => {
    try {
      checkJsonContentType(req.headers["content-type"] ?? null);
    } catch (e) {
      return error((e as InputError).message, (e as InputError).status, {}, true);
    }
    const declared = req.headers["content-length"];
    const bytes = await readBody(req, { contentLength: declared === undefined ? undefined : Number(declared) });
    const rows = parsePredictBody(bytes);
    const T = config.seriesLength;
    const digits = new Float32Array(rows.length * T);
    rows.forEach((r, n) => digits.set(r, n * T));
    const p = await pool.run(digits);
    const probabilities = Array.from(p);
    return json({ probabilities, labels: probabilities.map((p) => decide(p)), model: identity });
  };

  const handle = async (req: IncomingMessage): Promise<Reply> => {
    const method = req.method ?? "GET";
    if (hosts && !hosts.has((req.headers.host ?? "").toLowerCase())) {
      return error(
        `Host ${JSON.stringify(truncate(req.headers.host ?? ""))} does not name this server; use one of ${
          [...hosts].join(", ")
        }`,
        421,
        {},
        true,
      );
    }
    let pathname: string;
    try {
      pathname = new URL(req.url ?? "/", "http://localhost").pathname;
    } catch {
      return error(`Bad request target ${JSON.stringify(truncate(req.url ?? ""))}`, 400, {}, true);
    }
    const asset = assets.get(pathname);
    const allow = asset || pathname === "/healthz" ? "GET, HEAD" : pathname === "/predict" ? "POST" : null;
    if (!allow) return error(`No such path: ${truncate(pathname)}`, 404, {}, method !== "GET" && method !== "HEAD");
    if (!allow.split(", ").includes(method)) {
      return error(`Method ${truncate(method)} is not allowed on ${pathname}; use ${allow}`, 405, { allow }, true);
    }
    if (pathname === "/predict") return await predict(req);
    if (pathname === "/healthz") return json({ status: "ok", model: identity });
    const headers = { etag: asset!.etag, "cache-control": "no-cache" };
    if (matchesEtag(req.headers["if-none-match"] ?? null, asset!.etag)) return { status: 304, headers };
    return { status: 200, headers: { ...headers, "content-type": asset!.type }, body: asset!.bytes };
  };

  const write = (req: IncomingMessage, res: ServerResponse, reply: Reply) => {
    if (res.headersSent || res.destroyed) return;
    const body = typeof reply.body === "string" ? enc.encode(reply.body) : reply.body;
    const headers: Record<string, string> = { ...security, ...reply.headers };
    if (body) headers["content-length"] = String(body.length);
    if (reply.close) headers.connection = "close";
    res.writeHead(reply.status, headers);
    res.end(req.method === "HEAD" || !body ? undefined : body);
  };

  const server = createServer({
    requestTimeout: timeouts.requestMs,
    headersTimeout: Math.min(timeouts.headersMs, timeouts.requestMs),
    keepAliveTimeout: timeouts.idleMs,
    connectionsCheckingInterval: Math.max(50, Math.min(1_000, timeouts.headersMs / 4)),
  }, (req, res) => {
    handle(req).then((reply) => write(req, res, reply), (e) => {
      if (req.destroyed && !req.complete) return; // the client went away, or the body timed out
      const reply = e instanceof InputError
        ? error(e.message, e.status, {}, !req.complete)
        : e instanceof BusyError
        ? error(e.message, 503, { "retry-after": String(e.retryAfterSeconds) })
        : error(`Internal error: ${truncate((e as Error).message)}`, 500, {}, !req.complete);
      write(req, res, reply);
    }).catch(() => res.destroy());
  });

  const addr = await new Promise<{ hostname: string; port: number }>((resolve, reject) => {
    const failed = (e: unknown) => reject(listenError(e, host, options.port));
    server.once("error", failed);
    try {
      server.listen({ host, port: options.port }, () => {
        server.off("error", failed);
        const a = server.address();
        resolve({ hostname: host, port: typeof a === "object" && a ? a.port : options.port });
      });
    } catch (e) {
      failed(e);
    }
  }).catch(async (e) => {
    await pool.close();
    throw e;
  });
  if (isLoopback(host)) hosts = allowedHosts(host, addr.port);
  server.on("error", () => {}); // errors after listening belong to single connections

  const finished = new Promise<void>((resolve) => {
    const stop = () => {
      server.close(() => pool.close().then(resolve));
      server.closeAllConnections();
    };
    if (options.signal?.aborted) stop();
    else options.signal?.addEventListener("abort", stop, { once: true });
  });
  options.onListen?.(addr);
  return { addr, finished };
}
