import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { LEARNING_CURVE_COLORS, LearningCurveRecorder, learningCurveSvg } from '../../src/reporting/index';
import type { LearningCurve } from '../../src/reporting/index';

/** A recorder fed `losses` (one per step) and a validation every `every` steps of value step/1000. */
function recorded(losses: number[], every: number, maxPoints?: number): LearningCurve {
  // the clock reads 500 ms at the start and advances 500 ms at each reading
  let clock = 0;
  const recorder = new LearningCurveRecorder({
    validationMetric: 'recall@50',
    maxPoints,
    now: () => (clock += 500),
  });
  losses.forEach((loss, index) => {
    const step = index + 1;
    recorder.onBatchEnd({
      step,
      totalSteps: losses.length,
      loss,
      trainSeconds: step / 10,
      tripletsPerSecond: 1,
    });
    if (step % every === 0) recorder.onValidation({ step, metrics: { 'recall@50': step / 1000 } });
  });
  recorder.finish({
    steps: losses.length,
    trainSeconds: losses.length / 10,
    tripletsPerSecond: 1,
    stoppedEarly: true,
    aborted: false,
    bestStep: every,
  });
  return recorder.toJSON();
}

function pointsOf(svg: string, className: string): [number, number][] {
  const match = new RegExp(`class="${className}"[^>]* points="([^"]*)"`).exec(svg);
  if (!match) return [];
  return match[1].split(' ').map((pair) => pair.split(',').map(Number) as [number, number]);
}

describe('LearningCurveRecorder', () => {
  it('keeps every step when short, and means over even step ranges past maxPoints', () => {
    const short = recorded([4, 3, 2], 2);
    expect(short.steps).toEqual([1, 2, 3]);
    expect(short.loss).toEqual([4, 3, 2]);
    expect(short.trainSeconds).toEqual([0.1, 0.2, 0.3]);
    // steps 1..10 with loss = step, 4 points: ranges (0,3] (3,5] (5,8] (8,10]
    const long = recorded([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5, 4);
    expect(long.steps).toEqual([3, 5, 8, 10]);
    expect(long.loss).toEqual([2, 4.5, 7, 9.5]);
    expect(long.trainSeconds).toEqual([0.3, 0.5, 0.8, 1]);
  });

  it('records validations with wall time and how training ended', () => {
    const curve = recorded([1, 1, 1, 1], 2);
    expect(curve.validations).toEqual([
      { step: 2, metrics: { 'recall@50': 0.002 }, wallSeconds: 0.5 },
      { step: 4, metrics: { 'recall@50': 0.004 }, wallSeconds: 1 },
    ]);
    expect(curve.ended).toEqual({
      reason: 'early-stopping',
      steps: 4,
      plannedSteps: 4,
      bestStep: 2,
      trainSeconds: 0.4,
      wallSeconds: 1.5,
      tripletsPerSecond: 1,
    });
  });
});

describe('learningCurveSvg', () => {
  const losses = Array.from({ length: 200 }, (_, i) => 1 / (1 + i / 20) + (i % 7) / 100);
  const curve = recorded(losses, 50);
  const svg = learningCurveSvg(curve);

  it('draws the loss as a line whose height is linear in the loss, left to right by step', () => {
    const points = pointsOf(svg, 'loss');
    expect(points).toHaveLength(200);
    for (let i = 1; i < points.length; i++) expect(points[i][0]).toBeGreaterThan(points[i - 1][0]);
    // y = a - b * loss with b > 0, up to the 0.1 px rounding of the coordinates
    const slope = (points[0][1] - points[199][1]) / (losses[0] - losses[199]);
    expect(slope).toBeLessThan(0);
    points.forEach(([, y], i) =>
      expect(Math.abs(y - (points[0][1] + slope * (losses[i] - losses[0])))).toBeLessThan(0.2),
    );
  });

  it('draws each validation as a dot on its own axis, higher for a better metric, and marks the kept step', () => {
    const dots = pointsOf(svg, 'validation');
    expect(dots).toHaveLength(4);
    for (let i = 1; i < dots.length; i++) expect(dots[i][1]).toBeLessThan(dots[i - 1][1]);
    expect(svg.match(/class="validation-point"/g)).toHaveLength(4);
    expect(svg).toContain('class="best-step"');
    expect(svg).toContain('Learning curve: mars, 200 steps, early-stopping, kept step 50');
  });

  it('says so when a run has no steps (a baseline), and escapes text', () => {
    const baseline = learningCurveSvg({
      ...curve,
      model: 'pop<&>',
      steps: [],
      loss: [],
      trainSeconds: [],
      validations: [],
    });
    expect(baseline).toContain('no per-step training for pop&#60;&#38;&#62;');
    expect(pointsOf(baseline, 'loss')).toEqual([]);
  });
});

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(chromiumPath);
if (!hasChromium)
  console.warn(
    `[learning-curve.test] SKIPPED the Chromium check: no Chromium at ${chromiumPath} (apt-get install chromium)`,
  );

describe.skipIf(!hasChromium)('the learning-curve SVG in headless Chromium', () => {
  it('renders, with the loss curve and the validation dots drawn in their colours', async () => {
    const losses = Array.from(
      { length: 300 },
      (_, i) => 0.7 * Math.exp(-i / 80) + 0.05 + ((i * 37) % 11) / 200,
    );
    const svg = learningCurveSvg(recorded(losses, 60));
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--no-sandbox', '--disable-gpu'],
    });
    try {
      const page = await browser.newPage();
      await page.setContent(`<!doctype html><body style="margin:0">${svg}</body>`);
      const drawn = await page.evaluate(
        async ({ source, colors }) => {
          const lengthOf = (selector: string): number =>
            (document.querySelector(selector) as SVGPolylineElement | null)?.getTotalLength() ?? 0;
          const image = new Image();
          image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(source)}`;
          await image.decode();
          const canvas = document.createElement('canvas');
          canvas.width = image.width;
          canvas.height = image.height;
          const context = canvas.getContext('2d') as CanvasRenderingContext2D;
          context.drawImage(image, 0, 0);
          const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
          const near = (hex: string): number => {
            const [r, g, b] = [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16));
            let count = 0;
            for (let i = 0; i < pixels.length; i += 4)
              if (Math.abs(pixels[i] - r) + Math.abs(pixels[i + 1] - g) + Math.abs(pixels[i + 2] - b) < 40)
                count++;
            return count;
          };
          return {
            width: image.width,
            lossLength: lengthOf('polyline.loss-smoothed'),
            validationLength: lengthOf('polyline.validation'),
            lossPixels: near(colors.loss),
            validationPixels: near(colors.validation),
          };
        },
        { source: svg, colors: LEARNING_CURVE_COLORS },
      );
      expect(drawn.width).toBe(720);
      expect(drawn.lossLength).toBeGreaterThan(500); // at least the plot's width
      expect(drawn.validationLength).toBeGreaterThan(400);
      expect(drawn.lossPixels).toBeGreaterThan(500);
      expect(drawn.validationPixels).toBeGreaterThan(100);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
