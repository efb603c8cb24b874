/**
 * A batch larger than the training split. The trainer then takes min(batch_size, training rows)
 * rows per step — what PyTorch's DataLoader does (drop_last=False yields one short batch per
 * epoch), so every step is full-batch gradient descent. That is a valid run (and on a tiny dataset
 * often the intended one), so it is not refused; but the request says another batch than the one
 * trained, so the result says so in `warnings` (code `batch_exceeds_training_rows`), naming
 * /batch_size, both numbers and how the split was made.
 */
import { datasetRows, type ResolvedData } from './resolve-data.js';

/** Rows of the training split, as src/core/datasets/prepare.ts splitDataset makes it. */
export function trainingRows(data: ResolvedData): number {
  const rows = datasetRows(data);
  return data.val_fraction === 0 ? rows : rows - Math.max(1, Math.round(rows * data.val_fraction));
}

export interface BatchWarning {
  code: 'batch_exceeds_training_rows';
  message: string;
  iteration: null;
}

export function batchWarning(batchSize: number, data: ResolvedData, pointer = '/batch_size'): BatchWarning | null {
  const train = trainingRows(data);
  if (batchSize <= train) return null;
  const rows = datasetRows(data);
  const split =
    data.val_fraction === 0
      ? `all ${rows} rows (val_fraction 0)`
      : `${train} of ${rows} rows after val_fraction ${data.val_fraction}`;
  return {
    code: 'batch_exceeds_training_rows',
    message:
      `${pointer}: batch_size ${batchSize} is larger than the training split (${split}): every step trained on all ${train} rows ` +
      `(full-batch, as PyTorch's DataLoader yields one short batch); send batch_size ≤ ${train} to ask for that, or use more rows`,
    iteration: null,
  };
}
