// The main job on the bundled example: record examples/invoice, then print what a user
// would look at to find the bug — the recording's size, every value `total` took and
// where it was written, and the line that ran more often than it should.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const cli = join(root, 'bin', 'elixirscope.js');
const example = join(root, 'examples', 'invoice');
const program = join(example, 'src', 'main.ts');
const out = join(example, '.elixirscope', 'recordings', 'demo');

if (!existsSync(join(root, 'dist', 'cli.js'))) execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
rmSync(out, { recursive: true, force: true });

console.log(`$ elixirscope record --out ${out} -- ${program}\n`);
const plainStart = process.hrtime.bigint();
const rec = spawnSync(process.execPath, [cli, 'record', '--out', out, '--', program], { stdio: 'inherit' });
const recordMs = Number(process.hrtime.bigint() - plainStart) / 1e6;
if (rec.status !== 0) process.exit(rec.status ?? 1);

const query = (...args) => JSON.parse(execFileSync(process.execPath, [cli, 'query', out, ...args, '--json'], { encoding: 'utf8' }));
const stats = query('stats');
console.log(`\nRecorded ${stats.events} events from ${stats.files} files (${stats.frames} calls), ${(stats.bytes / 1024).toFixed(1)} KiB on disk, in ${recordMs.toFixed(0)} ms.`);

const writes = query('writes', '--name', 'total', '--file', 'src/invoice.ts');
console.log('\nEvery value `total` took inside Invoice.total() (src/invoice.ts):');
const source = readFileSync(join(example, 'src', 'invoice.ts'), 'utf8').split('\n');
for (const w of writes) console.log(`  seq ${String(w.seq).padStart(5)}  line ${String(w.line).padStart(2)}  total = ${w.value.padEnd(10)} ${source[w.line - 1].trim()}`);

const byLine = new Map();
for (const w of writes) byLine.set(w.line, (byLine.get(w.line) ?? 0) + 1);
const discountLine = source.findIndex((l) => l.includes('(1 - this.discountRate)')) + 1;
const hits = query('hits', '--file', 'src/invoice.ts', '--line', String(discountLine));
const items = query('hits', '--file', 'src/invoice.ts', '--line', String(source.findIndex((l) => l.includes('const line = ')) + 1));
console.log(`\nThe discount line src/invoice.ts:${discountLine} ran ${hits.length} times, once per line item (${items.length} items):`);
console.log('the running total is discounted again on every pass, so the first items are discounted repeatedly.');
const before = query('history', '--file', 'src/invoice.ts', '--line', String(discountLine), '--name', 'total');
console.log(`Values of \`total\` each time the discount line ran: ${before.map((h) => h.value).join(', ')}`);
const state = query('state', '--seq', String(hits[hits.length - 1].seq));
console.log(`\nState at seq ${state.seq} (${state.file.replace(example + '/', '')}:${state.line}), innermost frame first:`);
for (const f of state.stack) console.log(`  ${f.name} @ line ${f.line}: ${Object.entries(f.locals).map(([k, v]) => `${k} = ${v}`).join(', ')}`);
console.log(`\nStep through it backwards in VS Code: F5 on "ElixirScope" in examples/invoice, or open the recording: ${out}`);
