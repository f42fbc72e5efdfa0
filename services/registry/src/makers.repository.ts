import { Injectable } from '@nestjs/common';
import type { MakerRow } from './device-view.js';
import { Database } from './registry.deps.js';
import { RegistryError } from './registry.error.js';

/** Maker keys that may attest devices. */
@Injectable()
export class MakersRepository {
  constructor(private readonly db: Database) {}

  async find(key: string): Promise<MakerRow | undefined> {
    const { rows } = await this.db.query<MakerRow>(
      'SELECT maker_key, name, registered_by, registered_at FROM makers WHERE maker_key = $1',
      [key],
    );
    return rows[0];
  }

  async insert(key: string, name: string, registeredBy: string): Promise<MakerRow> {
    const { rows } = await this.db.query<MakerRow>(
      `INSERT INTO makers (maker_key, name, registered_by) VALUES ($1, $2, $3)
       ON CONFLICT (maker_key) DO NOTHING RETURNING maker_key, name, registered_by, registered_at`,
      [key, name, registeredBy],
    );
    if (rows[0] === undefined) {
      throw new RegistryError('MAKER_EXISTS', 'this maker key is already registered', { key });
    }
    return rows[0];
  }
}
