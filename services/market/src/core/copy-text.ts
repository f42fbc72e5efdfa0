/**
 * PostgreSQL COPY … TO STDOUT text format: one row per line, fields separated by tabs, `\N` for NULL,
 * backslash escapes for tab, newline, carriage return, backslash and friends.
 */
export const COPY_NULL = '\\N';

const ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };

export function unescapeCopyField(field: string): string {
  if (!field.includes('\\')) {
    return field;
  }
  let out = '';
  for (let i = 0; i < field.length; i++) {
    const c = field[i]!;
    if (c !== '\\' || i + 1 >= field.length) {
      out += c;
      continue;
    }
    const next = field[++i]!;
    const simple = ESCAPES[next];
    if (simple !== undefined) {
      out += simple;
    } else if (next >= '0' && next <= '7') {
      const octal = /^[0-7]{1,3}/.exec(field.slice(i))![0];
      out += String.fromCharCode(parseInt(octal, 8));
      i += octal.length - 1;
    } else if (next === 'x' && /^[0-9a-fA-F]/.test(field[i + 1] ?? '')) {
      const hex = /^[0-9a-fA-F]{1,2}/.exec(field.slice(i + 1))![0];
      out += String.fromCharCode(parseInt(hex, 16));
      i += hex.length;
    } else {
      out += next;
    }
  }
  return out;
}

/** Splits one COPY text line (without its newline) into fields; NULL becomes null. */
export function splitCopyLine(line: string): (string | null)[] {
  const raw = line.split('\t');
  const fields: (string | null)[] = new Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const field = raw[i]!;
    fields[i] = field === COPY_NULL ? null : unescapeCopyField(field);
  }
  return fields;
}
