// The scale bench's plot: load time and peak memory against interactions, as a standalone SVG.

/** One load measured by the scale bench (the worker's JSON plus size and format). */
export interface ScaleMeasurement {
  /** Interaction rows generated. */
  size: number;
  /** Input format. */
  format: 'csv' | 'parquet';
  /** Read + index seconds. */
  loadSeconds: number;
  /** Peak RSS of the loading process, bytes. */
  loadPeakRss: number;
  /** Bytes of the item store (tokens, ids, words). */
  itemStoreBytes: number;
  /** Other figures of the worker. */
  [key: string]: number | string;
}

const colors = { csv: '#1f77b4', parquet: '#d62728' } as const;

interface Series {
  label: string;
  color: string;
  dashed?: boolean;
  points: [number, number][];
}

function panel(x0: number, title: string, unit: string, series: Series[], maxX: number): string {
  const width = 380;
  const height = 260;
  const left = x0 + 55;
  const top = 40;
  const plotWidth = width - 80;
  const plotHeight = height - 90;
  const maxY = Math.max(...series.flatMap((s) => s.points.map((p) => p[1]))) * 1.1 || 1;
  const sx = (x: number): number => left + (x / maxX) * plotWidth;
  const sy = (y: number): number => top + plotHeight - (y / maxY) * plotHeight;
  const parts: string[] = [];
  parts.push(
    `<text x="${x0 + width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${title}</text>`,
  );
  parts.push(
    `<line x1="${left}" y1="${top + plotHeight}" x2="${left + plotWidth}" y2="${top + plotHeight}" stroke="#000"/>`,
  );
  parts.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotHeight}" stroke="#000"/>`);
  for (let k = 0; k <= 4; k++) {
    const y = (maxY * k) / 4;
    parts.push(
      `<text x="${left - 6}" y="${sy(y) + 4}" text-anchor="end" font-size="10">${y >= 10 ? y.toFixed(0) : y.toFixed(1)}</text>`,
      `<line x1="${left}" y1="${sy(y)}" x2="${left + plotWidth}" y2="${sy(y)}" stroke="#ddd"/>`,
    );
    const x = (maxX * k) / 4;
    parts.push(
      `<text x="${sx(x)}" y="${top + plotHeight + 14}" text-anchor="middle" font-size="10">${(x / 1e6).toFixed(0)}M</text>`,
    );
  }
  parts.push(
    `<text x="${left + plotWidth / 2}" y="${top + plotHeight + 30}" text-anchor="middle" font-size="11">interactions</text>`,
  );
  parts.push(
    `<text x="${x0 + 14}" y="${top + plotHeight / 2}" text-anchor="middle" font-size="11" transform="rotate(-90 ${x0 + 14} ${top + plotHeight / 2})">${unit}</text>`,
  );
  series.forEach((s, index) => {
    const path = s.points
      .map(([x, y], k) => `${k === 0 ? 'M' : 'L'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`)
      .join(' ');
    parts.push(
      `<path d="${path}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5,4"' : ''}/>`,
    );
    if (!s.dashed)
      for (const [x, y] of s.points)
        parts.push(`<circle cx="${sx(x)}" cy="${sy(y)}" r="3" fill="${s.color}"/>`);
    const ly = top + plotHeight + 48 + 0 * index;
    const lx = left + index * 105;
    parts.push(
      `<line x1="${lx}" y1="${ly}" x2="${lx + 16}" y2="${ly}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="4,3"' : ''}/>`,
      `<text x="${lx + 20}" y="${ly + 4}" font-size="10">${s.label}</text>`,
    );
  });
  return parts.join('\n');
}

/** An SVG with two panels: load CPU time and peak RSS against interactions, CSV and Parquet. */
export function plotScale(measurements: readonly ScaleMeasurement[]): string {
  const maxX = Math.max(...measurements.map((m) => m.size));
  const of = (format: 'csv' | 'parquet', value: (m: ScaleMeasurement) => number): [number, number][] =>
    measurements.filter((m) => m.format === format).map((m) => [m.size, value(m)]);
  const csv = measurements.filter((m) => m.format === 'csv');
  const first = csv[0];
  // CPU seconds of the load: on a shared machine the wall clock follows the neighbours' load
  const cpu = (m: ScaleMeasurement): number => Number(m.readCpuSeconds) + Number(m.indexCpuSeconds);
  const time: Series[] = [
    { label: 'CSV', color: colors.csv, points: of('csv', cpu) },
    { label: 'Parquet', color: colors.parquet, points: of('parquet', cpu) },
  ];
  if (first) {
    time.push({
      label: 'linear (CSV)',
      color: '#888',
      dashed: true,
      points: [
        [0, 0],
        [maxX, (cpu(first) * maxX) / first.size],
      ],
    });
  }
  const gib = 2 ** 30;
  const memory: Series[] = [
    { label: 'CSV', color: colors.csv, points: of('csv', (m) => m.loadPeakRss / gib) },
    { label: 'Parquet', color: colors.parquet, points: of('parquet', (m) => m.loadPeakRss / gib) },
  ];
  if (first) {
    memory.push({
      label: '16 B x n + items',
      color: '#2ca02c',
      dashed: true,
      points: [
        [0, first.itemStoreBytes / gib],
        [maxX, (16 * maxX + first.itemStoreBytes) / gib],
      ],
    });
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="780" height="320" viewBox="0 0 780 320" font-family="sans-serif">`,
    `<rect width="780" height="320" fill="#fff"/>`,
    panel(0, 'Load CPU time (read + CSR)', 'CPU seconds', time, maxX),
    panel(390, 'Peak RSS of the load', 'GiB', memory, maxX),
    `</svg>`,
  ].join('\n');
}
