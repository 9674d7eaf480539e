/**
 * Rendering the parallel-coordinates spec: the only module that imports Vega, loaded with
 * `import()` so other pages never download it. The page's Content-Security-Policy forbids
 * eval, so Vega runs with expression ASTs and the interpreter instead of generated code, and
 * renders SVG (whose text Vega writes as text, never as markup).
 */
import { View, parse } from 'vega';
import { compile } from 'vega-lite';
import { expressionInterpreter } from 'vega-interpreter';
import { parallelCoordinatesSpec, type ParallelInput } from './parallel-coordinates-spec.js';

/** Draws the chart into `container`; returns what removes it. */
export async function renderParallelCoordinates(
  container: HTMLElement,
  input: ParallelInput,
): Promise<() => void> {
  const width = Math.max(320, container.clientWidth - 140);
  const vegaSpec = compile(parallelCoordinatesSpec(input, width)).spec;
  const runtime = parse(vegaSpec, undefined, { ast: true });
  const view = new View(runtime, {
    expr: expressionInterpreter,
    renderer: 'svg',
    container,
    hover: true,
  });
  await view.runAsync();
  return () => {
    view.finalize();
  };
}
