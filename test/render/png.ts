import { inflateSync } from 'node:zlib';

/** A decoded 8-bit RGBA image. */
export interface Image {
  width: number;
  height: number;
  /** RGBA, row by row. */
  pixels: Uint8Array;
}

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

/** Decodes the non-interlaced 8-bit RGBA PNGs that resvg writes (enough for pixel checks). */
export function decodePng(png: Uint8Array): Image {
  if (!SIGNATURE.every((byte, i) => png[i] === byte)) throw new Error('not a PNG');
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let offset = 8;
  let width = 0;
  let height = 0;
  const idat: Uint8Array[] = [];
  while (offset < png.length) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...png.subarray(offset + 4, offset + 8));
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = view.getUint32(offset + 8);
      height = view.getUint32(offset + 12);
      const [depth, colour, , , interlace] = data.subarray(8);
      if (depth !== 8 || colour !== 6 || interlace !== 0) {
        throw new Error(`unsupported PNG: depth ${depth}, colour ${colour}`);
      }
    } else if (type === 'IDAT') {
      idat.push(data);
    }
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 4;
  const pixels = new Uint8Array(stride * height);
  for (let y = 0; y < height; y += 1) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = y * stride;
    for (let x = 0; x < stride; x += 1) {
      const a = x >= 4 ? pixels[out + x - 4]! : 0;
      const b = y > 0 ? pixels[out - stride + x]! : 0;
      const c = x >= 4 && y > 0 ? pixels[out - stride + x - 4]! : 0;
      let predictor = 0;
      if (filter === 1) predictor = a;
      else if (filter === 2) predictor = b;
      else if (filter === 3) predictor = (a + b) >>> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      pixels[out + x] = (line[x]! + predictor) & 0xff;
    }
  }
  return { width, height, pixels };
}

/** How many pixels in the box (device pixels, clamped to the image) are dark, as text is. */
export function darkPixels(
  image: Image,
  box: { x1: number; y1: number; x2: number; y2: number },
): number {
  let dark = 0;
  const x1 = Math.max(0, Math.floor(box.x1));
  const x2 = Math.min(image.width, Math.ceil(box.x2));
  const y1 = Math.max(0, Math.floor(box.y1));
  const y2 = Math.min(image.height, Math.ceil(box.y2));
  for (let y = y1; y < y2; y += 1) {
    for (let x = x1; x < x2; x += 1) {
      const i = (y * image.width + x) * 4;
      const luminance =
        0.299 * image.pixels[i]! + 0.587 * image.pixels[i + 1]! + 0.114 * image.pixels[i + 2]!;
      if (luminance < 160) dark += 1;
    }
  }
  return dark;
}
