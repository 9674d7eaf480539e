// The small part of opentype.js@1 that text measurement uses (the package ships no types).
declare module 'opentype.js' {
  export interface Glyph {
    index: number;
    advanceWidth?: number;
  }
  export interface KerningLookups {
    readonly length: number;
  }
  export interface Position {
    defaultKerningTables?: KerningLookups;
    getKerningTables(script: string, language?: string): KerningLookups | undefined;
    getKerningValue(lookups: KerningLookups, leftIndex: number, rightIndex: number): number;
  }
  export interface Font {
    unitsPerEm: number;
    position: Position;
    charToGlyph(char: string): Glyph;
    getKerningValue(left: Glyph | number, right: Glyph | number): number;
  }
  const opentype: { parse(buffer: ArrayBuffer): Font };
  export default opentype;
}
