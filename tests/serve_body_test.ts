/** Fuzzing the request body (issue 10): every input gives series or an InputError, never a crash. */
import { assert, assertEquals } from "@std/assert";
import fc from "fast-check";
import { InputError } from "../src/core/input.ts";
import { checkJsonContentType, MAX_ECHO, parsePredictBody, readBody } from "../src/serve/body.ts";
import { makeTinyModelDir, withServer } from "./_tiny_model.ts";

const enc = new TextEncoder();
const digit = fc.integer({ min: 0, max: 9 });

/** Runs `fn`; it must return, or throw an InputError with a 4xx status and a bounded message. */
function valueOrInputError<T>(fn: () => T, statuses: number[]): T | InputError {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof InputError)) throw new Error(`threw ${(e as Error)?.name}: ${(e as Error)?.message}`);
    assert(statuses.includes(e.status), `status ${e.status}`);
    assert(e.message.length <= 2 * MAX_ECHO + 200, `message of ${e.message.length} characters`);
    return e;
  }
}

/** Bodies near the valid ones: right and wrong lengths, digits and non-digits, nesting, junk around. */
const bodyText = fc.oneof(
  fc.array(digit, { minLength: 30, maxLength: 30 }).map((s) => JSON.stringify({ series: s })),
  fc.array(fc.array(digit, { minLength: 29, maxLength: 31 }), { maxLength: 4 }).map((s) =>
    JSON.stringify({ series: s })
  ),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.jsonValue().map((v) => JSON.stringify({ series: v })),
  fc.array(fc.oneof(digit, fc.double(), fc.string(), fc.constant(null)), { maxLength: 31 })
    .map((s) => JSON.stringify({ series: s })),
  fc.string({ maxLength: 200 }),
  fc.string({ unit: "binary", maxLength: 200 }),
);

Deno.test("parsePredictBody() returns series of 30 digits or throws InputError for any bytes", () => {
  fc.assert(
    fc.property(fc.oneof(bodyText.map((t) => enc.encode(t)), fc.uint8Array({ maxLength: 300 })), (bytes) => {
      const out = valueOrInputError(() => parsePredictBody(bytes), [400, 413]);
      if (!(out instanceof InputError)) {
        assert(out.length >= 1);
        for (const row of out) assert(row.length === 30 && row.every((d) => Number.isInteger(d) && d >= 0 && d <= 9));
      }
    }),
    { numRuns: 2_000, seed: 10 },
  );
});

Deno.test("checkJsonContentType() accepts only application/json with utf-8 or no charset", () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string({ maxLength: 60 }),
        fc.constantFrom("application/json", "APPLICATION/JSON", "application/json;charset=utf-8")
          .chain((t) => fc.string({ maxLength: 20 }).map((x) => t + x)),
      ),
      (type) => {
        const out = valueOrInputError(() => checkJsonContentType(type), [415]);
        if (!(out instanceof InputError)) assert(type.trim().toLowerCase().startsWith("application/json"), type);
      },
    ),
    { numRuns: 2_000, seed: 10 },
  );
});

Deno.test("readBody() returns exactly the bytes sent, whatever the chunking, or 413 past the limit", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 40 }),
      fc.integer({ min: 1, max: 800 }),
      fc.boolean(),
      async (chunks, maxBytes, declare) => {
        const total = chunks.reduce((n, c) => n + c.length, 0);
        const source = (async function* () {
          yield* chunks;
        })();
        try {
          const got = await readBody(source, { maxBytes, contentLength: declare ? total : undefined });
          assert(total <= maxBytes);
          assertEquals(got, new Uint8Array(chunks.flatMap((c) => [...c])));
        } catch (e) {
          assert(e instanceof InputError && e.status === 413 && total > maxBytes, String(e));
        }
      },
    ),
    { numRuns: 500, seed: 10 },
  );
});

Deno.test("POST /predict answers every fuzzed body with 200 or a JSON 4xx, and keeps serving", async () => {
  const dir = await makeTinyModelDir();
  await withServer(dir, async (base) => {
    await fc.assert(
      fc.asyncProperty(bodyText, async (text) => {
        const res = await fetch(`${base}/predict`, {
          method: "POST",
          body: text,
          headers: { "content-type": "application/json" },
        });
        const answer = await res.json();
        if (res.status === 200) {
          assertEquals(answer.probabilities.length, answer.labels.length);
          assert(answer.probabilities.every((p: number) => p >= 0 && p <= 1));
        } else {
          assert([400, 413].includes(res.status), `${res.status} for ${text.slice(0, 80)}`);
          assertEquals(typeof answer.error, "string");
        }
      }),
      { numRuns: 150, seed: 10 },
    );
    const health = await fetch(`${base}/healthz`);
    assertEquals(health.status, 200);
    await health.body?.cancel();
  });
});
