/**
 * Deliverable 2 as a generated report: figures (SVG) and report.md, built from a model's
 * records and validation probabilities, the data, and the imbalance study's results. Three
 * steps: the facts (`facts.ts`, every number), the figures (`figures.ts`), the text
 * (`markdown.ts`, a template over the facts).
 * @module
 */
import { reportFacts, type ReportInput } from "./facts.ts";
import { type Figures, reportFigures } from "./figures.ts";
import { reportMarkdown } from "./markdown.ts";

export { type BoundaryFacts, randintPitfall, type ReportFacts, reportFacts, type ReportInput } from "./facts.ts";
export { type BoundaryFigureName, type FigureName, type Figures, reportFigures, sumPlotRange } from "./figures.ts";
export { reportMarkdown } from "./markdown.ts";

/**
 * Builds report.md and its figures.
 *
 * @param input The records, data, probabilities and study.
 * @returns File names and their text.
 */
export function buildReport(input: ReportInput): Figures & { "report.md": string } {
  const facts = reportFacts(input);
  return { ...reportFigures(input, facts), "report.md": reportMarkdown(facts) };
}
