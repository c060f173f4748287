import type { LearningCurve } from './learning-curve';

/** Options of {@link learningCurveSvg}; every field has a default. */
export interface LearningCurveSvgOptions {
  /** Width, in pixels. Default 720 px. */
  width?: number;
  /** Height, in pixels. Default 400 px. */
  height?: number;
  /** Most loss points drawn; more are averaged down. Default 600 points. */
  maxDrawnPoints?: number;
}

/** Colours of the plot (the default matplotlib pair, readable for the common colour blindnesses). */
export const LEARNING_CURVE_COLORS = Object.freeze({ loss: '#1f77b4', validation: '#d62728' });

const margin = { left: 64, right: 72, top: 44, bottom: 52 };

/**
 * Draws a learning curve as a standalone SVG document: the loss per step (left axis, blue
 * line `polyline.loss`, and its moving average `polyline.loss-smoothed`), the validation metric (right axis, red line and dots
 * `polyline.validation`), the kept step (dashed line `line.best-step`), and how the run ended
 * in the title. Pure string building, no DOM: it runs in Node and in the browser.
 */
export function learningCurveSvg(curve: LearningCurve, options: LearningCurveSvgOptions = {}): string {
  const width = options.width ?? 720;
  const height = options.height ?? 400;
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const metric =
    curve.validationMetric ??
    (curve.validations.length > 0 ? Object.keys(curve.validations[0].metrics)[0] : undefined);
  const validations = metric
    ? curve.validations.filter((validation) => Number.isFinite(validation.metrics[metric]))
    : [];
  const parts: string[] = [];
  const ended = curve.ended
    ? `, ${curve.ended.steps} steps, ${curve.ended.reason}${curve.ended.bestStep === undefined ? '' : `, kept step ${curve.ended.bestStep}`}`
    : ', in progress';
  parts.push(
    `<text class="title" x="${margin.left}" y="24" font-size="15" font-weight="bold">${escapeXml(`Learning curve: ${curve.model}${ended}`)}</text>`,
  );
  const lastStep = Math.max(
    curve.steps.at(-1) ?? 0,
    ...validations.map((v) => v.step),
    curve.ended?.steps ?? 0,
    1,
  );
  const x = (step: number): number => margin.left + (step / lastStep) * plotWidth;
  parts.push(
    `<rect x="${margin.left}" y="${margin.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#999"/>`,
  );
  for (const tick of niceTicks(0, lastStep, 6)) {
    parts.push(
      `<line x1="${fmt(x(tick))}" y1="${margin.top + plotHeight}" x2="${fmt(x(tick))}" y2="${margin.top + plotHeight + 5}" stroke="#999"/>`,
      `<text x="${fmt(x(tick))}" y="${margin.top + plotHeight + 19}" font-size="11" text-anchor="middle">${tickLabel(tick)}</text>`,
    );
  }
  parts.push(
    `<text x="${margin.left + plotWidth / 2}" y="${height - 10}" font-size="12" text-anchor="middle">step</text>`,
  );

  const finite = curve.loss
    .map((loss, index) => ({ step: curve.steps[index], loss }))
    .filter((point) => Number.isFinite(point.loss));
  const drawn = averageDown(finite, options.maxDrawnPoints ?? 600);
  if (drawn.length > 0) {
    const [low, high] = paddedRange(drawn.map((point) => point.loss));
    const y = (loss: number): number => margin.top + ((high - loss) / (high - low)) * plotHeight;
    for (const tick of niceTicks(low, high, 5)) {
      parts.push(
        `<line x1="${margin.left - 5}" y1="${fmt(y(tick))}" x2="${margin.left}" y2="${fmt(y(tick))}" stroke="#999"/>`,
        `<text x="${margin.left - 8}" y="${fmt(y(tick) + 4)}" font-size="11" text-anchor="end">${tickLabel(tick)}</text>`,
      );
    }
    parts.push(
      `<text transform="translate(16 ${margin.top + plotHeight / 2}) rotate(-90)" font-size="12" text-anchor="middle" fill="${LEARNING_CURVE_COLORS.loss}">loss</text>`,
      `<polyline class="loss" fill="none" stroke="${LEARNING_CURVE_COLORS.loss}" stroke-opacity="0.35" stroke-width="1" points="${drawn
        .map((point) => `${fmt(x(point.step))},${fmt(y(point.loss))}`)
        .join(' ')}"/>`,
      `<polyline class="loss-smoothed" fill="none" stroke="${LEARNING_CURVE_COLORS.loss}" stroke-width="2" points="${movingAverage(
        drawn.map((point) => point.loss),
        Math.max(1, Math.round(drawn.length / 25)),
      )
        .map((loss, index) => `${fmt(x(drawn[index].step))},${fmt(y(loss))}`)
        .join(' ')}"/>`,
    );
  } else {
    parts.push(
      `<text class="no-steps" x="${margin.left + plotWidth / 2}" y="${margin.top + plotHeight / 2}" font-size="13" text-anchor="middle">no per-step training for ${escapeXml(curve.model)}</text>`,
    );
  }

  if (metric && validations.length > 0) {
    const values = validations.map((validation) => validation.metrics[metric]);
    const [low, high] = paddedRange(values);
    const y = (value: number): number => margin.top + ((high - value) / (high - low)) * plotHeight;
    for (const tick of niceTicks(low, high, 5)) {
      parts.push(
        `<line x1="${margin.left + plotWidth}" y1="${fmt(y(tick))}" x2="${margin.left + plotWidth + 5}" y2="${fmt(y(tick))}" stroke="#999"/>`,
        `<text x="${margin.left + plotWidth + 8}" y="${fmt(y(tick) + 4)}" font-size="11">${tickLabel(tick)}</text>`,
      );
    }
    const points = validations.map(
      (validation) => `${fmt(x(validation.step))},${fmt(y(validation.metrics[metric]))}`,
    );
    parts.push(
      `<text transform="translate(${width - 14} ${margin.top + plotHeight / 2}) rotate(90)" font-size="12" text-anchor="middle" fill="${LEARNING_CURVE_COLORS.validation}">${escapeXml(`validation ${metric}`)}</text>`,
      `<polyline class="validation" fill="none" stroke="${LEARNING_CURVE_COLORS.validation}" stroke-width="1.5" points="${points.join(' ')}"/>`,
      ...points.map((point) => {
        const [cx, cy] = point.split(',');
        return `<circle class="validation-point" cx="${cx}" cy="${cy}" r="3" fill="${LEARNING_CURVE_COLORS.validation}"/>`;
      }),
    );
  }
  const best = curve.ended?.bestStep;
  if (best !== undefined) {
    parts.push(
      `<line class="best-step" x1="${fmt(x(best))}" y1="${margin.top}" x2="${fmt(x(best))}" y2="${margin.top + plotHeight}" stroke="#555" stroke-dasharray="4 3"/>`,
    );
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

/** Averages consecutive points into at most `maxPoints` (mean step and mean loss of each group). */
function averageDown(
  points: { step: number; loss: number }[],
  maxPoints: number,
): { step: number; loss: number }[] {
  if (points.length <= maxPoints) return points;
  const out: { step: number; loss: number }[] = [];
  let first = 0;
  for (let group = 0; group < maxPoints; group++) {
    const last = Math.round(((group + 1) * points.length) / maxPoints);
    let steps = 0;
    let losses = 0;
    for (let i = first; i < last; i++) {
      steps += points[i].step;
      losses += points[i].loss;
    }
    out.push({ step: steps / (last - first), loss: losses / (last - first) });
    first = last;
  }
  return out;
}

/** Centered moving average over `radius` points each side (fewer at the ends). */
function movingAverage(values: number[], radius: number): number[] {
  return values.map((_, index) => {
    const from = Math.max(0, index - radius);
    const to = Math.min(values.length, index + radius + 1);
    let sum = 0;
    for (let i = from; i < to; i++) sum += values[i];
    return sum / (to - from);
  });
}

/** [min, max] of the values, widened by 5% each way (by 1 around a single value). */
function paddedRange(values: number[]): [number, number] {
  const low = Math.min(...values);
  const high = Math.max(...values);
  const pad = high > low ? (high - low) * 0.05 : Math.max(Math.abs(high) * 0.05, 1e-3);
  return [low - pad, high + pad];
}

/** Round tick values (1, 2 or 5 x 10^n apart) covering [low, high]. */
function niceTicks(low: number, high: number, count: number): number[] {
  const span = high - low;
  if (!(span > 0)) return [low];
  const rough = span / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((candidate) => candidate >= rough) ?? 10 * power;
  const ticks: number[] = [];
  for (let tick = Math.ceil(low / step) * step; tick <= high + step * 1e-9; tick += step)
    ticks.push(Number(tick.toPrecision(12)));
  return ticks;
}

function tickLabel(value: number): string {
  return Math.abs(value) >= 1e4 ? value.toExponential(1) : String(Number(value.toPrecision(4)));
}

function fmt(value: number): string {
  return value.toFixed(1);
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
