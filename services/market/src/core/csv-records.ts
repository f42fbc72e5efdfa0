/**
 * RFC 4180 record splitting for export files. Lines come in one at a time (without their line break); a
 * quoted field may span lines, so `push` returns the record's fields once it is complete, else undefined.
 */
export class CsvRecordSplitter {
  private pending: string | undefined;
  /** 1-based line number where the current (or last completed) record starts */
  recordLine = 0;
  private line = 0;

  push(text: string): string[] | undefined {
    const record = this.pushRecord(text);
    return record === undefined ? undefined : splitRecord(record);
  }

  /** Like `push`, but returns the complete record's text (line breaks inside quotes kept) unsplit. */
  pushRecord(text: string): string | undefined {
    this.line++;
    const record = this.pending === undefined ? text : this.pending + '\n' + text;
    if (this.pending === undefined) {
      this.recordLine = this.line;
    }
    if (!recordComplete(record)) {
      this.pending = record;
      return undefined;
    }
    this.pending = undefined;
    return record;
  }

  /** True when the input ended inside a quoted field. */
  get incomplete(): boolean {
    return this.pending !== undefined;
  }

  /** The text of a record still open (the input ended inside a quoted field). */
  get pendingRecord(): string | undefined {
    return this.pending;
  }
}

/** Splits one complete record into unquoted fields; undefined when a quoted field is still open. */
export function splitRecord(record: string): string[] | undefined {
  const fields: string[] = [];
  let i = 0;
  const n = record.length;
  for (;;) {
    if (record.charCodeAt(i) === 34 /* " */) {
      let value = '';
      let start = i + 1;
      for (;;) {
        const quote = record.indexOf('"', start);
        if (quote < 0) {
          return undefined;
        }
        value += record.slice(start, quote);
        if (record.charCodeAt(quote + 1) === 34) {
          value += '"';
          start = quote + 2;
          continue;
        }
        i = quote + 1;
        break;
      }
      fields.push(value);
      if (i >= n) {
        return fields;
      }
      if (record.charCodeAt(i) !== 44 /* , */) {
        // text after a closing quote: keep it, the row check will refuse the field
        const comma = record.indexOf(',', i);
        fields[fields.length - 1] += comma < 0 ? record.slice(i) : record.slice(i, comma);
        if (comma < 0) {
          return fields;
        }
        i = comma;
      }
      i++;
    } else {
      const comma = record.indexOf(',', i);
      if (comma < 0) {
        fields.push(record.slice(i));
        return fields;
      }
      fields.push(record.slice(i, comma));
      i = comma + 1;
    }
  }
}

/** Whether {@link splitRecord} would find the record complete (no quoted field left open), without splitting. */
export function recordComplete(record: string): boolean {
  let i = 0;
  for (;;) {
    if (record.charCodeAt(i) === 34 /* " */) {
      let start = i + 1;
      for (;;) {
        const quote = record.indexOf('"', start);
        if (quote < 0) {
          return false;
        }
        if (record.charCodeAt(quote + 1) === 34) {
          start = quote + 2;
          continue;
        }
        i = quote + 1;
        break;
      }
      if (i >= record.length) {
        return true;
      }
      if (record.charCodeAt(i) !== 44 /* , */) {
        const comma = record.indexOf(',', i);
        if (comma < 0) {
          return true;
        }
        i = comma;
      }
      i++;
    } else {
      const comma = record.indexOf(',', i);
      if (comma < 0) {
        return true;
      }
      i = comma + 1;
    }
  }
}
