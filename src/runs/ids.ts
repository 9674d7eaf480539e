import { randomBytes } from 'node:crypto';
import {
  adjectives,
  animals,
  NumberDictionary,
  uniqueNamesGenerator,
} from 'unique-names-generator';

/**
 * A new id, sortable by creation time to the millisecond and unique across machines:
 * `20261124T101530123Z-1a2b3c4d`. Listing a folder of ids lists them oldest first, and a person
 * can read when a run started from its id.
 */
export function createTimeSortableId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('.', '');
  return `${stamp}-${randomBytes(4).toString('hex')}`;
}

const TIME_SORTABLE_ID = /^\d{8}T\d{9}Z-[0-9a-f]{8}$/;

/** Whether `text` has the shape of {@link createTimeSortableId}'s ids. */
export const isTimeSortableId = (text: string): boolean => TIME_SORTABLE_ID.test(text);

/** A readable run name such as `brave-otter-42`, for runs started without one. */
export function generateRunName(): string {
  return uniqueNamesGenerator({
    dictionaries: [adjectives, animals, NumberDictionary.generate({ min: 1, max: 99 })],
    separator: '-',
    style: 'lowerCase',
  });
}
