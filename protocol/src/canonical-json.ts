/**
 * RFC 8785 JSON Canonicalization Scheme (JCS).
 *
 * Object members are sorted by their names' UTF-16 code units, no insignificant white space, strings and
 * numbers serialised exactly as ECMAScript's `JSON.stringify` does (RFC 8785 §3.2.2 adopts that algorithm).
 * Firmware in other languages implements the same rules; `test-vectors/v1.json` pins the bytes.
 *
 * @example
 * canonicalize({ b: 1, a: [true, null, 'x'] }) // '{"a":[true,null,"x"],"b":1}'
 */
export function canonicalize(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) {
        throw new TypeError('RFC 8785 cannot represent a non-finite number');
      }
      // JSON.stringify(-0) === '0', as RFC 8785 requires.
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) {
        return 'null';
      }
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          out += (i === 0 ? '' : ',') + canonicalize(value[i]);
        }
        return out + ']';
      }
      const record = value as Record<string, unknown>;
      // Default sort compares UTF-16 code units, which is what RFC 8785 §3.2.3 prescribes.
      const keys = Object.keys(record)
        .filter((k) => record[k] !== undefined)
        .sort();
      let out = '{';
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        out += (i === 0 ? '' : ',') + JSON.stringify(key) + ':' + canonicalize(record[key]);
      }
      return out + '}';
    }
    default:
      throw new TypeError(`RFC 8785 cannot represent a value of type ${typeof value}`);
  }
}

const encoder = new TextEncoder();

/** UTF-8 bytes of the canonical form: what signatures and Merkle leaves cover. */
export function canonicalBytes(value: unknown): Uint8Array {
  return encoder.encode(canonicalize(value));
}
