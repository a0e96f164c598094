/**
 * Hand-written SVG charts: pure functions from numbers to markup, no browser and no
 * dependency, so that a report renders the same bytes everywhere.
 * @module
 */

/** One line (or step line) of a chart. */
export interface LineSeries {
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  color: string;
  /** Stroke width in pixels (default 2). */
  width?: number;
  /** Opacity (default 1). */
  opacity?: number;
  /** Dashed stroke. */
  dashed?: boolean;
  /** Draw each point as a dot of this radius instead of a line through them. */
  points?: number;
}

/** A vertical marker line with a label. */
export interface Marker {
  x: number;
  label: string;
  color?: string;
  /** Put the label in this row from the top of the plot (0 first) instead of at the bottom. */
  row?: number;
  /** Which side of the line the label sits on (default right). */
  side?: "left" | "right";
}

/** Options of {@link lineChart}. */
export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  /** Bars drawn under the lines (a histogram), each [x0, x1, height]. */
  bars?: { name: string; color: string; values: [number, number, number][] };
  markers?: Marker[];
  xDomain?: [number, number];
  yDomain?: [number, number];
  /** Base-10 log scale on y. */
  logY?: boolean;
  /** Where the legend sits (default top right). */
  legend?: "top-right" | "bottom-right" | "bottom-left";
  width?: number;
  height?: number;
}

const W = 720;
const H = 420;
const M = { left: 72, right: 24, top: 44, bottom: 56 };

/** Escapes text for SVG. */
export function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

const fmt = (v: number) => Number(v.toPrecision(6)).toString();

/** About `count` round tick values spanning [lo, hi]. */
export function ticks(lo: number, hi: number, count = 6): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function extent(values: number[]): [number, number] {
  const finite = values.filter(Number.isFinite);
  return finite.length ? [Math.min(...finite), Math.max(...finite)] : [0, 1];
}

/**
 * Draws lines (and optional histogram bars and markers) with axes, ticks, labels and a legend.
 *
 * @param o The chart.
 * @returns SVG markup.
 */
export function lineChart(o: LineChartOptions): string {
  const width = o.width ?? W;
  const height = o.height ?? H;
  const pw = width - M.left - M.right;
  const ph = height - M.top - M.bottom;
  const xs = o.series.flatMap((s) => Array.from(s.x)).concat(o.bars?.values.flatMap((b) => [b[0], b[1]]) ?? []);
  const ys = o.series.flatMap((s) => Array.from(s.y)).concat(o.bars?.values.map((b) => b[2]) ?? []);
  let [x0, x1] = o.xDomain ?? extent(xs);
  if (x1 === x0) [x0, x1] = [x0 - 0.5, x1 + 0.5];
  const ty = (v: number) => (o.logY ? Math.log10(Math.max(v, 1e-300)) : v);
  let [y0, y1] = o.yDomain ?? extent(ys.filter((v) => !o.logY || v > 0).map(ty));
  if (o.yDomain && o.logY) [y0, y1] = [Math.log10(o.yDomain[0]), Math.log10(o.yDomain[1])];
  if (y1 === y0) y1 = y0 + 1;
  const px = (v: number) => M.left + ((v - x0) / (x1 - x0 || 1)) * pw;
  const py = (v: number) => M.top + ph - ((ty(v) - y0) / (y1 - y0)) * ph;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${esc(o.title)}</text>`,
  );
  // grid and ticks
  for (const t of ticks(x0, x1)) {
    parts.push(
      `<line x1="${px(t)}" y1="${M.top}" x2="${px(t)}" y2="${M.top + ph}" stroke="#eee"/>`,
      `<text x="${px(t)}" y="${M.top + ph + 18}" text-anchor="middle">${fmt(t)}</text>`,
    );
  }
  const yTicks = o.logY
    ? Array.from({ length: Math.floor(y1) - Math.ceil(y0) + 1 }, (_, k) => 10 ** (Math.ceil(y0) + k))
    : ticks(y0, y1);
  for (const t of yTicks) {
    parts.push(
      `<line x1="${M.left}" y1="${py(t)}" x2="${M.left + pw}" y2="${py(t)}" stroke="#eee"/>`,
      `<text x="${M.left - 8}" y="${py(t) + 4}" text-anchor="end">${o.logY ? `1e${Math.log10(t)}` : fmt(t)}</text>`,
    );
  }
  // bars
  for (const [a, b, h] of o.bars?.values ?? []) {
    if (h <= 0 && o.logY) continue;
    const top = Math.max(M.top, Math.min(py(h), M.top + ph));
    parts.push(
      `<rect x="${px(a)}" y="${top}" width="${Math.max(px(b) - px(a), 0.5)}" height="${M.top + ph - top}" fill="${
        o.bars!.color
      }" opacity="0.55"/>`,
    );
  }
  // lines
  for (const s of o.series) {
    const pts: string[] = [];
    for (let i = 0; i < s.x.length; i++) {
      if (Number.isFinite(s.y[i]) && (!o.logY || s.y[i] > 0)) {
        pts.push(`${px(s.x[i]).toFixed(2)},${py(s.y[i]).toFixed(2)}`);
      }
    }
    if (s.points) {
      const dots = pts.map((xy) => {
        const [x, y] = xy.split(",");
        return `<circle cx="${x}" cy="${y}" r="${s.points}"/>`;
      });
      parts.push(
        `<g class="series" data-name="${esc(s.name)}" fill="${s.color}" opacity="${s.opacity ?? 1}">${
          dots.join("")
        }</g>`,
      );
      continue;
    }
    parts.push(
      `<polyline class="series" data-name="${esc(s.name)}" fill="none" stroke="${s.color}" stroke-width="${
        s.width ?? 2
      }" opacity="${s.opacity ?? 1}"${s.dashed ? ' stroke-dasharray="6 4"' : ""} points="${pts.join(" ")}"/>`,
    );
  }
  // markers
  for (const m of o.markers ?? []) {
    parts.push(
      `<line x1="${px(m.x)}" y1="${M.top}" x2="${px(m.x)}" y2="${M.top + ph}" stroke="${
        m.color ?? "#c00"
      }" stroke-dasharray="4 3"/>`,
      `<text x="${m.side === "left" ? px(m.x) - 6 : px(m.x) + 6}" y="${
        m.row === undefined ? M.top + ph - 10 : M.top + 16 + 16 * m.row
      }"${m.side === "left" ? ' text-anchor="end"' : ""} fill="${m.color ?? "#c00"}">${esc(m.label)}</text>`,
    );
  }
  // axes and labels
  parts.push(
    `<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`,
    `<text class="x-label" x="${M.left + pw / 2}" y="${height - 14}" text-anchor="middle">${esc(o.xLabel)}</text>`,
    `<text class="y-label" transform="translate(18 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">${
      esc(o.yLabel)
    }</text>`,
  );
  // legend
  const entries = [
    ...o.series.map((s) => ({ name: s.name, color: s.color, dashed: s.dashed })),
    ...(o.bars ? [{ name: o.bars.name, color: o.bars.color, dashed: false }] : []),
  ];
  const boxTop = o.legend?.startsWith("bottom") ? M.top + ph - 12 - 18 * entries.length : M.top + 4;
  const boxLeft = o.legend === "bottom-left" ? M.left + 6 : M.left + pw - 258;
  parts.push(
    `<rect x="${boxLeft}" y="${boxTop}" width="252" height="${
      18 * entries.length + 8
    }" fill="white" opacity="0.85" stroke="#ccc"/>`,
  );
  entries.forEach((e, k) => {
    const y = boxTop + 18 + 18 * k;
    const x = boxLeft + 8;
    parts.push(
      `<line x1="${x}" y1="${y - 4}" x2="${x + 24}" y2="${y - 4}" stroke="${e.color}" stroke-width="3"${
        e.dashed ? ' stroke-dasharray="6 4"' : ""
      }/>`,
      `<text x="${x + 30}" y="${y}">${esc(e.name)}</text>`,
    );
  });
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}

/**
 * A 2×2 confusion-matrix heatmap with counts and row percentages (rows: true class).
 *
 * @param c The confusion counts (positive is class 1).
 * @param options The chart's title, and what class 1 means (e.g. "sum ≥ 100"), for the caption.
 * @returns SVG markup.
 */
export function confusionHeatmap(
  c: { tp: number; fp: number; tn: number; fn: number },
  options: { title: string; class1: string },
): string {
  const { title, class1 } = options;
  const cells = [[c.tn, c.fp], [c.fn, c.tp]]; // rows: true 0, true 1; columns: predicted 0, predicted 1
  const rows = cells.map((r) => r[0] + r[1]);
  const size = 150;
  const x0 = 170;
  const y0 = 70;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="520" height="440" viewBox="0 0 520 440" font-family="sans-serif" font-size="13">`,
    `<rect width="520" height="440" fill="white"/>`,
    `<text x="260" y="28" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`,
    `<text class="x-label" x="${x0 + size}" y="${y0 - 24}" text-anchor="middle">predicted class</text>`,
    `<text class="y-label" transform="translate(40 ${y0 + size}) rotate(-90)" text-anchor="middle">true class</text>`,
  ];
  for (let i = 0; i < 2; i++) {
    parts.push(
      `<text x="${x0 + size * i + size / 2}" y="${y0 - 6}" text-anchor="middle">${i}</text>`,
      `<text x="${x0 - 12}" y="${y0 + size * i + size / 2}" text-anchor="end">${i} (n = ${rows[i]})</text>`,
    );
    for (let j = 0; j < 2; j++) {
      const share = rows[i] ? cells[i][j] / rows[i] : 0;
      const shade = Math.round(245 - 190 * share);
      const ink = share > 0.55 ? "white" : "black";
      parts.push(
        `<rect class="cell" x="${x0 + size * j}" y="${
          y0 + size * i
        }" width="${size}" height="${size}" fill="rgb(${shade},${shade},255)" stroke="#333"/>`,
        `<text x="${x0 + size * j + size / 2}" y="${
          y0 + size * i + size / 2
        }" text-anchor="middle" font-size="22" fill="${ink}">${cells[i][j]}</text>`,
        `<text x="${x0 + size * j + size / 2}" y="${
          y0 + size * i + size / 2 + 24
        }" text-anchor="middle" fill="${ink}">${(100 * share).toFixed(1)} % of row</text>`,
      );
    }
  }
  parts.push(
    `<text x="260" y="${
      y0 + 2 * size + 40
    }" text-anchor="middle">tn ${c.tn}, fp ${c.fp}, fn ${c.fn}, tp ${c.tp}; positive = class 1 (${esc(class1)})</text>`,
    "</svg>",
  );
  return parts.join("\n") + "\n";
}
