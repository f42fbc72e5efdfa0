import { canonicalize } from '@groundtruth/protocol';
import type { NetworkKey } from './network-key.js';
import { verifyBase58Signature } from './network-key.js';

export const EXPORT_FORMATS = ['csv', 'jsonl', 'parquet'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const MANIFEST_SIGNING_PREFIX = Buffer.from('gt:v1:manifest:', 'ascii');

export interface License {
  readonly id: string;
  readonly name: string;
  readonly url: string;
}

/**
 * What an export's manifest.json states, signed by the network: the query, counts, the time range of the
 * rows, the RFC 9162 Merkle root over the canonical row encodings (see RowCodec), the license and the data
 * file's digest. The signature covers `gt:v1:manifest:` ‖ RFC 8785 bytes of every other member.
 */
export interface ExportManifest {
  readonly v: 1;
  readonly type: 'groundtruth.dataset-export';
  readonly orderId: string;
  readonly query: Record<string, unknown>;
  readonly format: ExportFormat;
  readonly columns: readonly string[];
  readonly file: { readonly name: string; readonly bytes: number; readonly sha256: string };
  readonly rows: number;
  readonly devices: number;
  /** min and max device timestamps (ms UTC) of the rows; null when there are none */
  readonly timeRange: { readonly first: number; readonly last: number } | null;
  readonly merkle: {
    readonly algorithm: 'rfc9162-sha256';
    readonly leaves: 'export-row-rfc8785';
    readonly root: string | null;
    /** roots of each run of `chunkSize` consecutive rows (the last one possibly shorter), hex */
    readonly chunkSize: number;
    readonly chunkRoots: readonly string[];
  };
  readonly license: License;
  readonly createdAt: string;
  readonly network: string;
}

export interface SignedManifest extends ExportManifest {
  readonly signature: string;
}

export function manifestSigningMessage(manifest: ExportManifest): Buffer {
  const { signature: _ignored, ...unsigned } = manifest as SignedManifest;
  return Buffer.concat([MANIFEST_SIGNING_PREFIX, Buffer.from(canonicalize(unsigned), 'utf8')]);
}

export function signManifest(manifest: Omit<ExportManifest, 'network'>, key: NetworkKey): SignedManifest {
  const unsigned: ExportManifest = { ...manifest, network: key.publicKey };
  return { ...unsigned, signature: key.sign(manifestSigningMessage(unsigned)).toString('base64') };
}

/**
 * Checks a manifest's network signature. With `expectedNetwork`, the manifest must also name that key (else
 * anyone could re-sign a doctored manifest with a key of their own). Never throws on untrusted input.
 */
export function verifyManifestSignature(manifest: SignedManifest, expectedNetwork?: string): boolean {
  try {
    if (expectedNetwork !== undefined && manifest.network !== expectedNetwork) {
      return false;
    }
    return verifyBase58Signature(manifest.network, manifestSigningMessage(manifest), manifest.signature);
  } catch {
    return false;
  }
}
