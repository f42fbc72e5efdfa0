import { Option, type Command } from 'commander';
import { writeNewKeyFile, type KeyFileFormat } from '../keys/device-key.js';
import type { CliIo } from './cli-io.js';

export function keygenCommand(program: Command, io: CliIo): void {
  program
    .command('keygen')
    .description("create this device's ed25519 key (mode 0600, never overwritten) and print its device id")
    .requiredOption('--out <file>', 'where to write the key file')
    .addOption(
      new Option('--format <format>', 'json (default) or raw 64-byte tweetnacl secret key')
        .choices(['json', 'raw'])
        .default('json'),
    )
    .action((options: { out: string; format: KeyFileFormat }) => {
      const pair = writeNewKeyFile(options.out, undefined, options.format);
      io.err(
        `wrote the device key to ${options.out} (mode 0600); keep it secret, back it up: it is the device's identity`,
      );
      io.out(pair.deviceId);
    });
}
