/**
 * A small, deterministic YAML writer for the provisioning files (block style, two-space indent, the quoting
 * Prettier keeps). Strings that could be read as anything but themselves are quoted; multi-line strings (SQL)
 * become literal blocks. Keys keep their insertion order.
 */

export type YamlValue = string | number | boolean | null | readonly YamlValue[] | { readonly [key: string]: YamlValue };

export class YamlError extends Error {
  override readonly name = 'YamlError';
}

const PLAIN = /^[A-Za-z_/][A-Za-z0-9_./ -]*$/;
const RESERVED = /^(?:true|false|yes|no|on|off|y|n|null|~)$/i;

function scalar(value: string | number | boolean | null): string {
  if (value === null) {
    return 'null';
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new YamlError(`not a finite number: ${value}`);
    }
    return String(value);
  }
  if (typeof value === 'boolean') {
    return String(value);
  }
  const plain = PLAIN.test(value) && !RESERVED.test(value) && !value.endsWith(' ') && !value.includes(' #');
  return plain && !value.includes(': ') && !value.endsWith(':') ? value : quoted(value);
}

/**
 * Single quotes (no escapes in YAML, `'` doubled) as Prettier writes them, double quotes (JSON escapes) for
 * control characters or when the text has single quotes and no double ones.
 */
function quoted(value: string): string {
  // eslint-disable-next-line no-control-regex -- control characters need escapes, which only double quotes have
  if (/[\u0000-\u001f\u007f]/.test(value) || (value.includes("'") && !value.includes('"'))) {
    return JSON.stringify(value);
  }
  return `'${value.replace(/'/g, "''")}'`;
}

function key(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !RESERVED.test(name) ? name : quoted(name);
}

/** A literal block keeps SQL readable; only for text YAML cannot misread (no tabs, CR or trailing spaces). */
function literalBlock(value: string, indent: string): string | undefined {
  if (!value.includes('\n') || /[\t\r]|[ ]\n|[ ]$|^\s/.test(value) || value.endsWith('\n')) {
    return undefined;
  }
  return `|-\n${value
    .split('\n')
    .map((line) => (line === '' ? '' : `${indent}${line}`))
    .join('\n')}`;
}

function isScalar(value: YamlValue): value is string | number | boolean | null {
  return value === null || typeof value !== 'object';
}

function isEmpty(value: YamlValue): boolean {
  return !isScalar(value) && (Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0);
}

function inline(value: YamlValue, indent: string): string {
  if (typeof value === 'string') {
    return literalBlock(value, indent) ?? scalar(value);
  }
  if (isScalar(value)) {
    return scalar(value);
  }
  return Array.isArray(value) ? '[]' : '{}';
}

function lines(value: YamlValue, indent: string): string[] {
  const out: string[] = [];
  if (Array.isArray(value)) {
    for (const item of value as readonly YamlValue[]) {
      if (isScalar(item) || isEmpty(item)) {
        out.push(`${indent}- ${inline(item, `${indent}  `)}`);
      } else {
        const nested = lines(item, `${indent}  `);
        out.push(`${indent}- ${nested[0]!.slice(indent.length + 2)}`, ...nested.slice(1));
      }
    }
    return out;
  }
  for (const [name, item] of Object.entries(value as { readonly [key: string]: YamlValue })) {
    if (item === undefined) {
      continue;
    }
    if (isScalar(item) || isEmpty(item)) {
      out.push(`${indent}${key(name)}: ${inline(item, `${indent}  `)}`);
    } else {
      out.push(`${indent}${key(name)}:`, ...lines(item, `${indent}  `));
    }
  }
  return out;
}

/** YAML text for a mapping, with optional `# comment` lines on top. */
export function toYaml(document: { readonly [key: string]: YamlValue }, comments: readonly string[] = []): string {
  return [...comments.map((c) => `# ${c}`), ...lines(document, '')].join('\n') + '\n';
}
