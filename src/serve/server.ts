/**
 * The HTTP service (Deno.serve): `POST /predict`, `GET /healthz`, and the web page that runs
 * the same model in the browser. Bad input gets a JSON error and never stops the server.
 * @module
 */
import { checkPredictBody, InputError } from "../core/input.ts";
import { serialRunner, type ServedModel } from "./model.ts";

/** Largest request body accepted, in bytes. */
export const MAX_BODY_BYTES = 1_000_000;

const WEB_DIR = new URL("../web/", import.meta.url);
const ORT_DIST = new URL("../../node_modules/onnxruntime-web/dist/", import.meta.url);
const ORT_FILES = /^ort(\.wasm\.min\.mjs|-wasm-simd-threaded\.(mjs|wasm))$/;
const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  wasm: "application/wasm",
};

const json = (value: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json", ...headers } });
const error = (message: string, status: number, headers: Record<string, string> = {}) =>
  json({ error: message }, status, headers);

async function readBody(req: Request): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) {
    throw new InputError(`Body of ${declared} bytes is over the ${MAX_BODY_BYTES}-byte limit`, 413);
  }
  if (!req.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of req.body) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new InputError(`Body is over the ${MAX_BODY_BYTES}-byte limit`, 413);
    chunks.push(chunk);
  }
  const all = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    all.set(c, offset);
    offset += c.length;
  }
  return new TextDecoder().decode(all);
}

async function file(url: URL): Promise<Response> {
  const ext = url.pathname.split(".").pop() ?? "";
  return new Response(await Deno.readFile(url), {
    headers: { "content-type": TYPES[ext] ?? "application/octet-stream", "cache-control": "no-cache" },
  });
}

/**
 * Builds the request handler for a loaded model.
 *
 * @param model The served model.
 * @returns A handler for Deno.serve; it never throws.
 */
export function createHandler(model: ServedModel): (req: Request) => Promise<Response> {
  const predict = serialRunner(model);
  const identity = { sha256: model.sha256, validationAccuracy: model.validationAccuracy };
  const routes: Record<string, Record<string, (req: Request) => Promise<Response> | Response>> = {
    "/": { GET: () => file(new URL("index.html", WEB_DIR)) },
    "/app.js": { GET: () => file(new URL("app.js", WEB_DIR)) },
    "/model.onnx": {
      GET: () => new Response(model.bytes.slice(), { headers: { "content-type": "application/octet-stream" } }),
    },
    "/healthz": { GET: () => json({ status: "ok", model: identity }) },
    "/predict": {
      POST: async (req) => {
        const type = req.headers.get("content-type") ?? "";
        if (!/^application\/json\b/i.test(type)) {
          return error(`Content-Type must be application/json, got "${type}"`, 415);
        }
        const text = await readBody(req);
        if (text.trim() === "") throw new InputError('Body is empty; send {"series": [30 digits]}');
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch (e) {
          throw new InputError(`Body is not valid JSON: ${(e as Error).message}`);
        }
        const { rows } = checkPredictBody(body);
        const p = await predict(rows);
        const probabilities = Array.from(p);
        const labels = probabilities.map((v) => (v >= 0.5 ? 1 : 0));
        return json({
          probabilities,
          labels,
          model: identity,
        });
      },
    },
  };
  return async (req) => {
    try {
      const { pathname } = new URL(req.url);
      if (pathname.startsWith("/vendor/ort/")) {
        const name = pathname.slice("/vendor/ort/".length);
        if (!ORT_FILES.test(name)) return error(`No such file: ${pathname}`, 404);
        if (req.method !== "GET") {
          return error(`Method ${req.method} is not allowed on ${pathname}`, 405, { allow: "GET" });
        }
        return await file(new URL(name, ORT_DIST));
      }
      const route = routes[pathname];
      if (!route) return error(`No such path: ${pathname}`, 404);
      const handler = route[req.method];
      if (!handler) {
        return error(`Method ${req.method} is not allowed on ${pathname}; use ${Object.keys(route).join(", ")}`, 405, {
          allow: Object.keys(route).join(", "),
        });
      }
      return await handler(req);
    } catch (e) {
      if (e instanceof InputError) return error(e.message, e.status);
      return error(`Internal error: ${(e as Error).message}`, 500);
    }
  };
}

/**
 * Starts the service.
 *
 * @param options Host, port (0 picks a free one), the served model and an abort signal.
 * @returns The running server.
 */
export function startServer(options: {
  host: string;
  port: number;
  model: ServedModel;
  signal?: AbortSignal;
  onListen?: (addr: Deno.NetAddr) => void;
}): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({
    hostname: options.host,
    port: options.port,
    signal: options.signal,
    onListen: options.onListen ?? (() => {}),
  }, createHandler(options.model));
}
