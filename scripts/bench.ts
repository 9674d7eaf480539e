// npm run bench: prints the benchmark tables that the README quotes.
// Figures, not tests: they vary with the machine, so no threshold is asserted here.
import { appendBenchmark } from './bench/append.js';
import { printTable } from './bench/table.js';

const sections = process.argv.slice(2);
const wanted = (name: string) => sections.length === 0 || sections.includes(name);

if (wanted('append')) {
  printTable('Appending one 200-byte row (store drivers)', await appendBenchmark());
}
