import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runProgramsCli } from '../src/cli.js';
import { readDeployment } from '../src/deployment.js';
import { loadLiteSvmSnapshot } from '../src/gateway/litesvm-snapshot.js';
import { KeypairFileError, readKeypairFile } from '../src/keypair-file.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

describe('gt-programs command line', () => {
  it('makes keys, then creates the token on an embedded chain that a later process can load', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gt-cli-'));
    dirs.push(dir);
    const c = capture();
    expect(await runProgramsCli(['keygen', path.join(dir, 'payer.json')], c.io)).toBe(0);
    expect(await runProgramsCli(['keygen', path.join(dir, 'authority.json')], c.io)).toBe(0);
    const authority = await readKeypairFile(path.join(dir, 'authority.json'));
    expect(c.out[1]).toBe(authority.address);

    const code = await runProgramsCli(
      [
        'create-token',
        '--payer',
        path.join(dir, 'payer.json'),
        '--authority',
        path.join(dir, 'authority.json'),
        '--treasury-owner',
        authority.address,
        '--litesvm-dir',
        path.join(dir, 'chain'),
        '--airdrop-sol',
        '10',
        '--out',
        path.join(dir, 'deployment.json'),
        '--symbol',
        'GTT',
      ],
      c.io,
    );

    expect(c.err).toEqual([]);
    expect(code).toBe(0);
    const deployment = await readDeployment(path.join(dir, 'deployment.json'));
    expect(deployment).toMatchObject({
      decimals: 6,
      cluster: 'litesvm',
      mintAuthority: { kind: 'keypair', address: authority.address },
    });
    expect(deployment.metadata.symbol).toBe('GTT');
    const chain = await loadLiteSvmSnapshot(path.join(dir, 'chain'));
    expect(await chain!.getAccount(deployment.mint)).not.toBeNull();
  });

  it('refuses to overwrite a key, bad key files, and incomplete commands', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gt-cli-'));
    dirs.push(dir);
    const c = capture();
    const file = path.join(dir, 'k.json');
    expect(await runProgramsCli(['keygen', file], c.io)).toBe(0);
    const before = await readFile(file, 'utf8');
    expect(await runProgramsCli(['keygen', file], c.io)).toBe(1);
    expect(await readFile(file, 'utf8')).toBe(before);

    await writeFile(path.join(dir, 'bad.json'), JSON.stringify(Array(64).fill(1)));
    await expect(readKeypairFile(path.join(dir, 'bad.json'))).rejects.toBeInstanceOf(KeypairFileError);
    expect(await runProgramsCli(['create-token', '--payer', file], c.io)).toBe(2);
    expect(await runProgramsCli(['launch-rockets'], c.io)).toBe(2);
  });
});
