/**
 * Serves the exported model over HTTP, with a web page that runs it in the browser.
 *
 *   deno task serve                                  # 127.0.0.1:8080, models/lstm-sum
 *   deno task serve --port 0 --model DIR             # a free port
 *   deno task serve --mnist models/mnist-linear      # the draw-a-digit page runs another H6.1 network
 *
 * POST /predict {"series": [30 digits]} or {"series": [[30 digits], ...]}; GET /healthz; GET /; and GET
 * /mnist, the draw-a-digit page, which runs the --mnist run directory's model.onnx in the browser. A
 * missing or broken run directory does not stop the start: it says so on one line, and so does the page.
 * Stops cleanly on SIGINT and SIGTERM. A missing or invalid model, or a port in use, stops the
 * start with one line (exit 1); a host that is not an address of this machine is a usage error (exit 2).
 * @module
 */
import { defineCommand, runCli, UsageError } from "./args.ts";
import { loadServedModel } from "../src/serve/model.ts";
import { loadServedMnist, type ServedMnist } from "../src/serve/mnist.ts";
import { defaultMnistRunDir } from "../src/mnist/spec.ts";
import { ServeError, startServer } from "../src/serve/server.ts";

const command = defineCommand({
  name: "serve",
  summary: "Serves the exported model over HTTP (POST /predict, GET /healthz) with a web page that runs it.",
  flags: {
    host: { type: "string", arg: "HOST", default: "127.0.0.1", help: "the address to listen on" },
    port: { type: "int", min: 0, max: 65535, default: 8080, help: "the port; 0 picks a free one" },
    model: { type: "string", arg: "DIR", default: "models/lstm-sum", help: "the model directory" },
    mnist: {
      type: "string",
      arg: "DIR",
      default: defaultMnistRunDir("cnn"),
      help: "the H6.1 run directory whose model.onnx the draw-a-digit page (/mnist) runs; if it is missing " +
        "or broken the server still starts and the page says why",
    },
  },
  examples: ["", "--port 0 --model DIR", "--mnist models/mnist-linear"],
});

await runCli(command, async ({ flags }) => {
  const dir = flags.model;
  const controller = new AbortController();
  let model;
  let server;
  try {
    model = await loadServedModel(dir);
    const mnist: ServedMnist = await loadServedMnist(flags.mnist);
    server = await startServer({
      host: flags.host,
      port: flags.port,
      model,
      mnist,
      signal: controller.signal,
      onListen: ({ hostname, port }) => {
        const base = `http://${hostname}:${port}`;
        console.log(`serving ${dir} (sha256 ${model!.sha256.slice(0, 12)}…) on ${base}/`);
        console.log(
          mnist.available
            ? `draw-a-digit page on ${base}/mnist runs ${mnist.dir} (${mnist.model}, sha256 ${
              mnist.sha256.slice(0, 12)
            }…)`
            : `draw-a-digit page on ${base}/mnist has no model: ${mnist.reason}`,
        );
      },
    });
  } catch (e) {
    await model?.onnx.release();
    if (e instanceof ServeError && e.kind === "usage") throw new UsageError(e.message, { cause: e });
    if (e instanceof ServeError) throw e;
    throw new ServeError(`cannot serve ${dir}: ${(e as Error).message}`, "io", { cause: e });
  }
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
}, { failures: [ServeError] });
