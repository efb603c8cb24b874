/**
 * RFC 4180 CSV building blocks for GET /v1/{kind}/{id}/curve.csv (CRLF, header row, empty cell for
 * null); each kind's csv.ts writes its table with them. Pure.
 */
import { isNum } from './svg.js';

/** A number cell: shortest round-trip text (parses back to the same double); null → empty. */
export function numCell(v: unknown): string {
  return isNum(v) ? String(v) : '';
}

/**
 * A text cell, quoted when needed; a leading = + - @ (spreadsheet formula) is neutralised with
 * an apostrophe (OWASP CSV injection guidance).
 */
export function textCell(v: unknown): string {
  let s = String(v ?? '');
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV record. */
export const row = (cells: string[]) => cells.join(',') + '\r\n';
