/** `auth login` in-process: what the help promises, and the flags it refuses. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/files.js';

describe('exit codes', () => {
  it('--help lists 130 for an interrupted run', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Exit codes: .*4 authentication,\s+130 interrupted \(Ctrl-C/);
  });
});

describe('--sandbox with auth', () => {
  for (const command of [['login', '--with-token'], ['status'], ['token']]) {
    it(`is refused for auth ${command[0]}, with a hint`, async () => {
      const result = await runCli(['--sandbox', 'auth', ...command], {
        env: { INFUSIONSOFT_CONFIG_DIR: tempDir('infusionsoft-auth-') },
        stdin: 'some-key\n',
      });
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(new RegExp(`error: --sandbox does not apply to auth ${command[0]}`));
      expect(result.stderr).toMatch(/infusionsoft sandbox --port 8080/);
      expect(result.stdout).toBe('');
    });
  }
});
