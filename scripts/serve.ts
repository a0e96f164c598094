/**
 * Serves the exported model over HTTP, with a web page that runs it in the browser.
 *
 *   deno task serve                                  # 127.0.0.1:8080, models/lstm-sum
 *   deno task serve --port 0 --model DIR             # a free port
 *
 * POST /predict {"series": [30 digits]} or {"series": [[30 digits], ...]}; GET /healthz; GET /.
 * Stops cleanly on SIGINT and SIGTERM. A missing or invalid model stops the start (exit 1).
 * @module
 */
import { parseFlags, runCli } from "./args.ts";
import { loadServedModel } from "../src/serve/model.ts";
import { startServer } from "../src/serve/server.ts";

await runCli(async () => {
  const { flags, positionals } = parseFlags(Deno.args, {
    host: { type: "string" },
    port: { type: "int", min: 0, max: 65535 },
    model: { type: "string" },
  });
  if (positionals.length) throw new RangeError(`Unexpected argument "${positionals[0]}"`);
  const dir = flags.model ?? "models/lstm-sum";
  let model;
  try {
    model = await loadServedModel(dir);
  } catch (e) {
    console.error(`error: cannot serve ${dir}: ${(e as Error).message}`);
    Deno.exit(1);
  }
  const controller = new AbortController();
  const server = startServer({
    host: flags.host ?? "127.0.0.1",
    port: flags.port ?? 8080,
    model,
    signal: controller.signal,
    onListen: ({ hostname, port }) =>
      console.log(`serving ${dir} (sha256 ${model.sha256.slice(0, 12)}…) on http://${hostname}:${port}/`),
  });
  const stop = () => {
    console.log("shutting down");
    controller.abort();
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  await server.finished;
  Deno.removeSignalListener("SIGINT", stop);
  Deno.removeSignalListener("SIGTERM", stop);
  await model.onnx.release();
  console.log("stopped");
});
