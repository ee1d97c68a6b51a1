// The e2e scenario: a small TypeScript program written into the test workspace, the places the UI
// test touches, and (for the scripted adapter) the recorded trace of that program.
'use strict';

const APP_TS = `function total(prices: number[]): number {
  let sum = 0;
  for (const p of prices) {
    sum = sum + p;
  }
  return sum;
}

const prices = [10, 20, 30];
const result = total(prices);
console.log('total', result);
setTimeout(() => console.log('later', result), 25); // time passes: the timeline's time axis spans ~25 ms
`;

// Deliberately broken file: the Problems view must show a syntax error for it.
const BROKEN_TS = `export function broken(a: number {
  return a +;
}
`;

const DIR = 'e2e-app'; // folder inside the workspace

// Trace of app.ts: every step event with the visible locals at that moment (1-based lines).
const prices = '[10, 20, 30]';
const TRACE = [
  { line: 9, fn: '<module>', vars: {} },
  { line: 10, fn: '<module>', vars: { prices } },
  { line: 2, fn: 'total', vars: { prices } },
  { line: 3, fn: 'total', vars: { prices, sum: '0' } },
  { line: 4, fn: 'total', vars: { prices, sum: '0', p: '10' } },
  { line: 3, fn: 'total', vars: { prices, sum: '10', p: '10' } },
  { line: 4, fn: 'total', vars: { prices, sum: '10', p: '20' } },
  { line: 3, fn: 'total', vars: { prices, sum: '30', p: '20' } },
  { line: 4, fn: 'total', vars: { prices, sum: '30', p: '30' } },
  { line: 3, fn: 'total', vars: { prices, sum: '60', p: '30' } },
  { line: 6, fn: 'total', vars: { prices, sum: '60' } },
  { line: 11, fn: '<module>', vars: { prices, result: '60' } },
];

module.exports = {
  DIR,
  files: { [`${DIR}/app.ts`]: APP_TS, [`${DIR}/broken.ts`]: BROKEN_TS },
  program: `${DIR}/app.ts`,
  broken: `${DIR}/broken.ts`,
  /** Breakpoint line: its 1st hit has sum = 0, its 2nd sum = 10 (Continue, then Reverse Continue back);
   *  Step Back from the 1st hit moves the highlighted line up (into the loop header / line 2). */
  breakpointLine: 4,
  variable: 'sum',
  valueAtFirstHit: '0',
  valueAtSecondHit: '10',
  hoverVariable: 'sum',
  /** After a session the language server's code lens on total() (line 1) says how often it ran. */
  codeLens: 'ran 1 time',
  codeLensLine: 1,
  /** ...and its hover lists every value `sum` took (writes at lines 2 and 4). */
  lspHover: 'sum took 4 values in the recording',
  TRACE,
};
