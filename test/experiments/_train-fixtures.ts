/**
 * What the trainModel and compare tests train: a deterministic nearest-centroid model, a
 * synthetic two-class dataset whose source can change under a test, a feature generator, and
 * throwaway git repositories.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry, type Samples } from '../../src/experiments/registry.js';

/** Predicts the class whose mean training row is nearest (squared Euclidean distance). */
export class NearestCentroid {
  private centroids = new Map<string, number[]>();
  constructor(private readonly options: { shrink?: number } = {}) {}

  fit(x: number[][], y: string[]): void {
    const sums = new Map<string, { sum: number[]; count: number }>();
    x.forEach((row, index) => {
      const label = y[index]!;
      const entry = sums.get(label) ?? { sum: row.map(() => 0), count: 0 };
      row.forEach((value, column) => (entry.sum[column]! += value));
      entry.count += 1;
      sums.set(label, entry);
    });
    const shrink = this.options.shrink ?? 0;
    this.centroids = new Map(
      [...sums].map(([label, { sum, count }]) => [
        label,
        sum.map((total) => (total / count) * (1 - shrink)),
      ]),
    );
  }

  predict(x: number[][]): string[] {
    return x.map((row) => {
      let best = '';
      let bestDistance = Infinity;
      for (const [label, centroid] of [...this.centroids].sort()) {
        const distance = row.reduce((sum, value, i) => sum + (value - centroid[i]!) ** 2, 0);
        if (distance < bestDistance) [best, bestDistance] = [label, distance];
      }
      return best;
    });
  }

  params() {
    return { algorithm: 'nearest-centroid' };
  }
}

/** A model whose fit fails. */
export class BrokenModel {
  fit(): void {
    throw new Error('out of memory, pretend');
  }
  predict(x: unknown[][]): string[] {
    return x.map(() => 'a');
  }
}

/** The source the dataset reads: a test changes it to prove a reproduction does not re-read it. */
export const source = { shift: 0 };

/** `n` samples of two overlapping classes (a fixed pseudo-random sequence); `source.shift` moves class a. */
export class TwoBlobs {
  constructor(private readonly params: { n: number; spread?: number }) {}

  load(): Promise<Samples> {
    let state = 12345;
    const next = () => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state / 2147483648;
    };
    const spread = this.params.spread ?? 1.5;
    const x: number[][] = [];
    const y: string[] = [];
    for (let i = 0; i < this.params.n; i += 1) {
      const label = i % 2 === 0 ? 'a' : 'b';
      const center = label === 'a' ? 0 : 1;
      const shift = label === 'a' ? source.shift : 0;
      x.push([center + (next() - 0.5) * spread + shift, center + (next() - 0.5) * spread]);
      y.push(label);
    }
    return Promise.resolve({ x, y, ids: y.map((_, i) => `sample-${i}`) });
  }
}

/** Multiplies every feature by `factor`. */
export class Scale {
  constructor(private readonly params: { factor: number }) {}
  transform(data: Samples): Samples {
    return { ...data, x: data.x.map((row) => row.map((v) => Number(v) * this.params.factor)) };
  }
}

/** A registry with the classes above. */
export function testRegistry(): Registry {
  return new Registry()
    .model('nearest-centroid', NearestCentroid)
    .model('broken', BrokenModel)
    .dataset('two-blobs', TwoBlobs)
    .featureGenerator('scale', Scale);
}

/** A new git repository with one commit; `git(...)` runs git in it. */
export async function tempRepository() {
  const path = await mkdtemp(join(tmpdir(), 'ml-tracking-train-'));
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], {
      cwd: path,
      encoding: 'utf8',
    }).trim();
  git('init', '-q');
  await writeFile(join(path, 'train.ts'), '// training\n');
  git('add', '-A');
  git('commit', '-q', '-m', 'first');
  return {
    path,
    git,
    head: () => git('rev-parse', 'HEAD'),
    remove: () => rm(path, { recursive: true, force: true }),
  };
}
