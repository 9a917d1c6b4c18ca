/**
 * `import --dry-run[=N]`: N is read only after `=`. Commander's optional option-argument
 * (`--dry-run [n]`) would take the FILE of `import contacts --dry-run file.csv` as N, so the option
 * stays a switch and `--dry-run=N` is split off before commander parses the command's options.
 */
import type { Command } from 'commander';

export function acceptDryRunSample(command: Command): { sample(): string | undefined } {
  let sample: string | undefined;
  const parse = command.parseOptions.bind(command);
  command.parseOptions = (args: string[]) => {
    sample = undefined;
    const operandsFrom = args.indexOf('--');
    const rewritten = args.map((arg, index) => {
      if ((operandsFrom < 0 || index < operandsFrom) && arg.startsWith('--dry-run=')) {
        sample = arg.slice('--dry-run='.length);
        return '--dry-run';
      }
      return arg;
    });
    return parse(rewritten);
  };
  return { sample: () => sample };
}
