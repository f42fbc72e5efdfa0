#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { isAddress, type Address } from '@solana/kit';
import { createRewardToken } from './commands/create-token.js';
import { DEFAULT_TOKEN_METADATA, writeDeployment } from './deployment.js';
import { LiteSvmGateway } from './gateway/litesvm-gateway.js';
import { loadLiteSvmSnapshot, saveLiteSvmSnapshot } from './gateway/litesvm-snapshot.js';
import { RpcGateway } from './gateway/rpc-gateway.js';
import type { SolanaGateway } from './gateway/solana-gateway.js';
import { readKeypairFile, writeNewKeypairFile } from './keypair-file.js';

const USAGE = `usage:
  gt-programs keygen <file>
  gt-programs create-token --payer <keypair.json> --treasury-owner <address> --out <deployment.json>
      (--authority <keypair.json> | --multisig-m <m> --multisig-signer <address|keypair.json> ...)
      (--rpc <url> | --litesvm-dir <dir> [--airdrop-sol <n>])
      [--cluster <label>] [--name <text>] [--symbol <text>] [--uri <url>]`;

class UsageError extends Error {}

async function addressOf(value: string): Promise<Address> {
  return isAddress(value) ? value : (await readKeypairFile(value)).address;
}

async function createToken(args: string[], out: (line: string) => void): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      payer: { type: 'string' },
      authority: { type: 'string' },
      'multisig-m': { type: 'string' },
      'multisig-signer': { type: 'string', multiple: true },
      'treasury-owner': { type: 'string' },
      out: { type: 'string' },
      rpc: { type: 'string' },
      'litesvm-dir': { type: 'string' },
      'airdrop-sol': { type: 'string' },
      cluster: { type: 'string' },
      name: { type: 'string' },
      symbol: { type: 'string' },
      uri: { type: 'string' },
    },
  });
  if (!values.payer || !values['treasury-owner'] || !values.out || !values.rpc === !values['litesvm-dir']) {
    throw new UsageError('need --payer, --treasury-owner, --out and exactly one of --rpc / --litesvm-dir');
  }
  if (!isAddress(values['treasury-owner'])) {
    throw new UsageError(`--treasury-owner is not an address: ${values['treasury-owner']}`);
  }
  const multisigSigners = values['multisig-signer'] ?? [];
  if (!values.authority === (multisigSigners.length === 0)) {
    throw new UsageError('give either --authority or --multisig-m with --multisig-signer');
  }
  const payer = await readKeypairFile(values.payer);
  const authority = values.authority
    ? ({ kind: 'keypair', address: (await readKeypairFile(values.authority)).address } as const)
    : ({
        kind: 'multisig',
        m: Number(values['multisig-m']),
        signers: await Promise.all(multisigSigners.map(addressOf)),
      } as const);
  let gateway: SolanaGateway;
  let litesvm: LiteSvmGateway | undefined;
  if (values['litesvm-dir']) {
    litesvm = (await loadLiteSvmSnapshot(values['litesvm-dir'])) ?? new LiteSvmGateway();
    if (values['airdrop-sol']) {
      litesvm.airdrop(payer.address, BigInt(Math.round(Number(values['airdrop-sol']) * 1e9)));
    }
    gateway = litesvm;
  } else {
    gateway = new RpcGateway({ url: values.rpc! });
  }
  const deployment = await createRewardToken({
    gateway,
    cluster: values.cluster ?? (litesvm ? 'litesvm' : 'rpc'),
    payer,
    authority,
    treasuryOwner: values['treasury-owner'],
    metadata: {
      name: values.name ?? DEFAULT_TOKEN_METADATA.name,
      symbol: values.symbol ?? DEFAULT_TOKEN_METADATA.symbol,
      uri: values.uri ?? DEFAULT_TOKEN_METADATA.uri,
    },
  });
  if (litesvm) {
    await saveLiteSvmSnapshot(litesvm, values['litesvm-dir']!);
  }
  await writeDeployment(values.out, deployment);
  out(JSON.stringify(deployment, null, 2));
}

/** Runs the `gt-programs` command line; returns the exit code (0 ok, 1 failure, 2 usage). */
export async function runProgramsCli(
  argv: string[],
  io: { out: (line: string) => void; err: (line: string) => void } = {
    out: (line) => console.log(line),
    err: (line) => console.error(line),
  },
): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'keygen' && rest.length === 1) {
      io.out((await writeNewKeypairFile(rest[0]!)).address);
      return 0;
    }
    if (command === 'create-token') {
      await createToken(rest, io.out);
      return 0;
    }
    throw new UsageError(`unknown command ${command ?? '(none)'}`);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      io.err(`${(error as Error).message}\n${USAGE}`);
      return 2;
    }
    io.err(`error: ${(error as Error).message}`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  process.exitCode = await runProgramsCli(process.argv.slice(2));
}
