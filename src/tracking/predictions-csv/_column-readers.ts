import { ValidationError } from '../../errors.js';
import type { ExperimentKind } from '../../layout/tables.js';
import { regressionValueProblem } from '../../metrics/input-checks.js';
import type { Label } from '../../metrics/types.js';
import {
  decimalNumber,
  invalidCell,
  isCanonicalInteger,
  NOT_DECIMAL_FIX,
  NOT_PROBABILITY_FIX,
  type CellPosition,
} from './_cells.js';
import type { PredictionsCsvInputNames } from './_input-names.js';

/** The probability columns of a predictions CSV. */
export interface ScoreColumns {
  /** Their names, in the order of {@link ScoreColumns.values}. */
  names: string[];
  /**
   * With a prefix: each column's class, read from the rest of its name as the labels are read
   * (numbers when the labels are numbers). `undefined` for a list of columns.
   */
  classes: Label[] | undefined;
  /** One probability per sample when there is one column; else one row per sample. */
  values: number[] | number[][];
}

/**
 * Collects one column of the predictions. Regression cells are parsed as they come: only plain
 * decimal numbers. Classification cells stay text, while noting whether every one is an integer
 * that reads back as itself.
 */
export class ColumnReader {
  private readonly numbers: number[] = [];
  private readonly cells: string[] = [];
  /** Every cell so far is the canonical text of a safe integer (`7`, `-3`; not `07`, `+3`, `1.0`). */
  allIntegers = true;

  constructor(
    private readonly file: string,
    private readonly name: string,
    private readonly kind: ExperimentKind,
    private readonly names: PredictionsCsvInputNames,
  ) {}

  add(cell: string, where: CellPosition): void {
    if (this.kind === 'classification') {
      this.cells.push(cell);
      if (this.allIntegers) this.allIntegers = isCanonicalInteger(cell);
      return;
    }
    const number = decimalNumber(cell);
    if (number === undefined) throw this.invalid(cell, where, 'a decimal number', NOT_DECIMAL_FIX);
    const problem = regressionValueProblem(number);
    if (problem !== undefined)
      throw this.invalid(cell, where, 'a usable regression value', problem);
    this.numbers.push(number);
  }

  /**
   * The column's values: numbers for regression; for classification numbers when `asNumbers`
   * (every label of both columns is an integer that reads back as itself, so that they sort as
   * numbers), else the text itself, so `01` and `1` stay two classes.
   */
  values(asNumbers: boolean): Label[] {
    if (this.kind === 'regression') return this.numbers;
    return asNumbers ? this.cells.map(Number) : this.cells;
  }

  private invalid(cell: string, where: CellPosition, what: string, fix: string) {
    return invalidCell(this.names.file, this.file, this.name, cell, where, what, fix);
  }
}

/** Collects the probability columns: decimal numbers from 0 to 1, read as they come. */
export class ScoreReader {
  private readonly single: number[] = [];
  private readonly rows: number[][] = [];

  constructor(
    private readonly file: string,
    private readonly columnNames: string[],
    private readonly names: PredictionsCsvInputNames,
  ) {}

  add(record: string[], indices: number[], where: CellPosition): void {
    if (indices.length === 1) {
      this.single.push(this.read(record, indices[0]!, 0, where));
      return;
    }
    const row = new Array<number>(indices.length);
    for (let column = 0; column < indices.length; column += 1)
      row[column] = this.read(record, indices[column]!, column, where);
    this.rows.push(row);
  }

  private read(record: string[], index: number, column: number, where: CellPosition): number {
    const cell = record[index] ?? '';
    const number = decimalNumber(cell);
    if (number === undefined || !(number >= 0 && number <= 1)) {
      throw invalidCell(
        this.names.file,
        this.file,
        this.columnNames[column]!,
        cell,
        where,
        number === undefined ? 'a decimal number' : 'a probability between 0 and 1',
        NOT_PROBABILITY_FIX,
      );
    }
    return number;
  }

  /** The columns read; with a prefix, each column's class from the rest of its name. */
  columns(prefix: string | undefined, labelsAreNumbers: boolean): ScoreColumns {
    const values = this.columnNames.length === 1 ? this.single : this.rows;
    if (prefix === undefined) return { names: this.columnNames, classes: undefined, values };
    const classes = this.columnNames.map((name) => {
      const text = name.slice(prefix.length);
      if (!labelsAreNumbers) return text;
      if (!isCanonicalInteger(text)) {
        throw new ValidationError(
          this.names.yScorePrefix,
          `the column ${JSON.stringify(name)} names the class ${JSON.stringify(text)}, but the labels of ${this.file} are integers`,
          `Name each probability column after its class as the labels are written, e.g. ${prefix}0, ${prefix}1.`,
        );
      }
      return Number(text);
    });
    return { names: this.columnNames, classes, values };
  }
}
