/** A plain-text table: the first column left-aligned, the others right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  const line = (row: readonly string[]): string =>
    row
      .map((cell, column) => (column <= 1 ? cell.padEnd(widths[column]) : cell.padStart(widths[column])))
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** 612345.6 → "612,346". */
export function count(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** Bytes as MB with one decimal: "12.3". */
export function mb(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

/** A ratio with two decimals: "0.97x". */
export function ratio(value: number): string {
  return `${value.toFixed(2)}x`;
}

/** Bytes with a sign: "+1,234" / "-56". */
export function signedBytes(bytes: number): string {
  return `${bytes >= 0 ? '+' : '-'}${count(Math.abs(bytes))}`;
}
