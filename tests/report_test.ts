import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { confusionHeatmap, lineChart, ticks } from "../src/report/svg.ts";
import { buildReport, randintPitfall } from "../src/report/report.ts";
import { train } from "../src/train/mod.ts";
import { scoreSplit } from "../src/study/study.ts";
import { makeDataset } from "../mod.ts";

/** Checks that markup is well-formed XML: every tag closed in order, attributes quoted. */
function assertWellFormed(svg: string) {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z][\w-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g)) {
    const [, close, name, , selfClose] = m;
    if (selfClose) continue;
    if (close) assertEquals(stack.pop(), name, `closing </${name}>`);
    else stack.push(name);
  }
  assertEquals(stack, []);
  const stripped = svg.replace(/<(\/?)([a-zA-Z][\w-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g, "");
  assert(!/[<>]/.test(stripped), "stray < or > outside tags");
  assert(!/&(?!amp;|lt;|gt;|quot;)/.test(stripped), "unescaped &");
}

Deno.test("lineChart() writes well-formed SVG with one polyline per series, axis labels and a legend", () => {
  const svg = lineChart({
    title: "A & B <test>",
    xLabel: "epoch",
    yLabel: "loss",
    series: [
      { name: "train", x: [1, 2, 3], y: [0.5, 0.3, 0.2], color: "#00f" },
      { name: "validation", x: [1, 2, 3], y: [0.6, 0.4, 0.35], color: "#f00", dashed: true },
    ],
    markers: [{ x: 2, label: "mark" }],
    logY: true,
  });
  assertWellFormed(svg);
  assertEquals(svg.match(/class="series"/g)?.length, 2);
  assertStringIncludes(svg, '<text class="x-label"');
  assertStringIncludes(svg, ">epoch</text>");
  assertStringIncludes(svg, ">loss</text>");
  assertStringIncludes(svg, "A &amp; B &lt;test&gt;");
  assertStringIncludes(svg, ">validation</text>");
});

Deno.test("confusionHeatmap() shows four cells with counts and row percentages", () => {
  const svg = confusionHeatmap({ tp: 1970, fp: 3, tn: 17, fn: 10 }, "cm");
  assertWellFormed(svg);
  assertEquals(svg.match(/class="cell"/g)?.length, 4);
  assertStringIncludes(svg, ">17</text>");
  assertStringIncludes(svg, "85.0 % of row");
});

Deno.test("ticks() gives round values that cover the range", () => {
  assertEquals(ticks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assertEquals(ticks(60, 210).slice(0, 3), [75, 100, 125]);
});

Deno.test("randintPitfall() shows class 0 rising to about 9 % when 9 is never drawn", () => {
  const p = randintPitfall(42);
  assert(p.exactClass0 > 0.07 && p.exactClass0 < 0.1, `${p.exactClass0}`);
  assert(Math.abs(p.sampledClass0 - p.exactClass0) < 4 * Math.sqrt(p.exactClass0 / 10_000), `${p.sampledClass0}`);
});

Deno.test("buildReport() on a tiny trained model writes report.md and six figures, in seconds", async () => {
  const { model, history, metrics, data } = await train({
    config: { units: 4, trainSize: 150, validationSize: 50, epochs: 2, seed: 1 },
  });
  model.dispose();
  const probabilities = Array.from({ length: 50 }, (_, n) => (n % 7 === 0 ? 0.3 : 0.9));
  const study = {
    seed: 1,
    epochs: 2,
    naturalValidation: { size: 50, negatives: data.validation.negatives },
    variants: [{
      name: "spec",
      description: "plain",
      trainSize: 150,
      trainNegatives: data.train.negatives,
      validation: scoreSplit(data.validation, probabilities),
      seconds: 1,
    }],
  };
  const files = buildReport({ metrics, history, data, probabilities, study });
  assertEquals(Object.keys(files).sort(), [
    "accuracy.svg",
    "confusion.svg",
    "loss.svg",
    "pr.svg",
    "report.md",
    "roc.svg",
    "sums.svg",
  ]);
  for (const [name, text] of Object.entries(files)) if (name.endsWith(".svg")) assertWellFormed(text);
  const md = files["report.md"];
  assertStringIncludes(md, "11749570957227161671138139560");
  assertStringIncludes(md, "| spec: plain |");
  assertStringIncludes(md, "randint(0, 9)");
  assertEquals(files["loss.svg"].match(/class="series"/g)?.length, 3);
  makeDataset({ seed: 1 }); // the report never mutates shared state: a fresh draw still works
});
