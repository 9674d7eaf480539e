import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { specToSvg } from '../../src/render/render-png.js';

/** A laid-out text mark: its role (`axis-title`, `axis-label`, `title-text`…) and its box. */
export interface TextBox {
  role: string;
  text: string;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

interface SceneBounds {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}
interface SceneItem {
  x?: number;
  y?: number;
  text?: string | number | string[];
  bounds?: SceneBounds;
  items?: SceneMark[];
}
interface SceneMark {
  role?: string;
  marktype?: string;
  items?: SceneItem[];
}

/**
 * Lays the spec out as renderPng does (same font metrics) and returns every text item's box in
 * CSS pixels of the rendered image.
 */
export async function textBoxes(spec: TopLevelSpec): Promise<TextBox[]> {
  await specToSvg(spec); // installs the TTF-based text metrics
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  await view.runAsync();
  const [ox, oy] = view.origin();
  const padding = view.padding() as { left: number; top: number };
  const boxes: TextBox[] = [];
  const visit = (mark: SceneMark, dx: number, dy: number, role: string) => {
    const markRole = mark.role ?? role;
    for (const item of mark.items ?? []) {
      if (mark.marktype === 'text' && item.bounds !== undefined && item.text != null) {
        boxes.push({
          role: markRole,
          text: String(item.text),
          x1: dx + item.bounds.x1,
          y1: dy + item.bounds.y1,
          x2: dx + item.bounds.x2,
          y2: dy + item.bounds.y2,
        });
      }
      if (mark.marktype === 'group') {
        for (const child of item.items ?? []) {
          visit(child, dx + (item.x ?? 0), dy + (item.y ?? 0), markRole);
        }
      }
    }
  };
  const root = (view.scenegraph() as unknown as { root: SceneMark }).root;
  visit(root, ox + padding.left, oy + padding.top, 'root');
  view.finalize();
  return boxes;
}
