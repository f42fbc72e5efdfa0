import { HARDWARE_KINDS, MAX_INTERVAL_S, MIN_INTERVAL_S, type HardwareKind } from '@groundtruth/protocol';
import { Option, type Command } from 'commander';
import { loadKeyFile } from '../keys/device-key.js';
import { buildRegistration, loadOwnerKeyPair, postRegistration } from '../keys/registration-client.js';
import { parse, type CliIo } from './cli-io.js';

interface RegisterOptions {
  key: string;
  ownerKeypair: string;
  kind: HardwareKind;
  model: string;
  interval: number;
  lat?: number;
  lon?: number;
  alt?: number;
  api?: string;
  validFor: number;
}

export function registerCommand(program: Command, io: CliIo): void {
  program
    .command('register')
    .description(
      'sign a registration (device proof of possession + owner wallet) and print it, or POST it to <api>/devices',
    )
    .requiredOption('--key <file>', 'the device key file (from keygen)')
    .requiredOption('--owner-keypair <file>', "the owner's Solana keypair file (JSON array of 64 numbers)")
    .addOption(new Option('--kind <kind>', 'hardware kind').choices(HARDWARE_KINDS).makeOptionMandatory())
    .requiredOption('--model <model>', 'hardware model, e.g. "Ecowitt GW1100"')
    .requiredOption(
      '--interval <seconds>',
      'declared seconds between readings',
      parse.int('--interval', MIN_INTERVAL_S, MAX_INTERVAL_S),
    )
    .option('--lat <degrees>', 'declared latitude', parse.number('--lat', -90, 90))
    .option('--lon <degrees>', 'declared longitude', parse.number('--lon', -180, 180))
    .option('--alt <metres>', 'declared altitude above mean sea level', parse.number('--alt', -500, 9000))
    .option('--api <url>', 'registry base URL: POST the request to <url>/devices', parse.url('--api'))
    .option('--valid-for <seconds>', 'how long the signed request stays valid', parse.int('--valid-for', 10, 3600), 600)
    .action(async (options: RegisterOptions) => {
      if ((options.lat === undefined) !== (options.lon === undefined)) {
        program.error('error: --lat and --lon go together', { exitCode: 2 });
      }
      if (options.alt !== undefined && options.lat === undefined) {
        program.error('error: --alt needs --lat and --lon', { exitCode: 2 });
      }
      const location =
        options.lat === undefined || options.lon === undefined
          ? undefined
          : { lat: options.lat, lon: options.lon, ...(options.alt === undefined ? {} : { alt: options.alt }) };
      const signed = buildRegistration({
        device: loadKeyFile(options.key),
        owner: loadOwnerKeyPair(options.ownerKeypair),
        kind: options.kind,
        model: options.model,
        intervalS: options.interval,
        ...(location === undefined ? {} : { location }),
        validForMs: options.validFor * 1000,
      });
      if (options.api === undefined) {
        io.out(JSON.stringify(signed, null, 2));
        return;
      }
      const answer = await postRegistration(options.api, signed);
      io.err(`registered device ${signed.request.device} to owner ${signed.request.owner}`);
      io.out(typeof answer === 'string' ? answer : JSON.stringify(answer, null, 2));
    });
}
