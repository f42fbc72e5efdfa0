/**
 * A failure the CLI explains to a person: what failed, and what to do about it. Exit code 1 (2 for usage).
 *
 * @example
 * throw new CliError('cannot reach the registry at http://127.0.0.1:8081', 'start the network with `npm start`');
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly hint?: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
