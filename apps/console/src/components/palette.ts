/** Distinguishable series colours (Okabe–Ito, colour-blind safe), cycled. */
export const PALETTE = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#CC79A7',
  '#56B4E9',
  '#D55E00',
  '#7f7f00',
  '#000000',
];

export function colourAt(index: number): string {
  return PALETTE[index % PALETTE.length] ?? '#000000';
}

/** Fixed chart colours, matching the stylesheet's (--danger, --muted, the top bar's ink). */
export const CHART_COLOURS = {
  ink: '#14213d',
  danger: '#a4161a',
  muted: '#5a6472',
  bar: '#93c5fd',
} as const;
