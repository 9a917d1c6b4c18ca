import { describe, expect, it } from 'vitest';
import { AuthError, CliError, UsageError } from '../src/errors.js';
import { hintFor } from '../src/hints.js';

describe('hintFor', () => {
  it("keeps an error's own hint", () => {
    expect(hintFor(new UsageError('bad flag', { hint: 'use --format csv' }))).toBe('use --format csv');
    expect(hintFor(new AuthError('refused', { problem: 'missing', hint: 'run infusionsoft auth login' }))).toBe(
      'run infusionsoft auth login',
    );
  });

  it('says how to provide a missing credential', () => {
    expect(hintFor(new AuthError('not logged in to Keap', { problem: 'missing' }))).toBe(
      'run `infusionsoft auth login`, set INFUSIONSOFT_API_KEY or INFUSIONSOFT_ACCESS_TOKEN, or use --sandbox',
    );
  });

  it('sends a refused stored profile back to auth login, naming a non-default profile', () => {
    const oauth = new AuthError('x', {
      problem: 'refused',
      credential: { source: 'profile "default" (keychain)', scheme: 'bearer' },
      credentialFrom: { kind: 'profile', name: 'default', storage: 'keychain' },
    });
    expect(hintFor(oauth)).toBe('log in again: infusionsoft auth login');
    const key = new AuthError('x', {
      problem: 'refused',
      credential: { source: 'profile "client-b" (file)', scheme: 'api-key' },
      credentialFrom: { kind: 'profile', name: 'client-b', storage: 'file' },
    });
    expect(hintFor(key)).toBe('log in again: infusionsoft auth login --profile client-b --with-token');
  });

  it("takes the profile from the credential's origin, never from the text of its description", () => {
    // The description is for people: a different wording must not change the way out.
    const reworded = new AuthError('x', {
      problem: 'refused',
      credential: { source: 'the login of client-c', scheme: 'bearer' },
      credentialFrom: { kind: 'profile', name: 'client-c', storage: 'file' },
    });
    expect(hintFor(reworded)).toBe('log in again: infusionsoft auth login --profile client-c');
    // A description that merely looks like a profile's is not one.
    const lookalike = new AuthError('x', {
      problem: 'refused',
      credential: { source: 'profile "x" (file)', scheme: 'api-key' },
      credentialFrom: { kind: 'given', name: 'profile "x" (file)' },
    });
    expect(hintFor(lookalike)).toBe('check the key from profile "x" (file) (Keap app: Settings > API Settings)');
  });

  it('suggests a new token for a refused bearer token, and checking the key for a refused API key', () => {
    const token = new AuthError('x', { problem: 'refused', credential: { source: 'INFUSIONSOFT_ACCESS_TOKEN', scheme: 'bearer' } });
    expect(hintFor(token)).toBe(
      'the access token from INFUSIONSOFT_ACCESS_TOKEN may have expired: set a valid INFUSIONSOFT_ACCESS_TOKEN or INFUSIONSOFT_API_KEY',
    );
    const key = new AuthError('x', { problem: 'refused', credential: { source: 'INFUSIONSOFT_API_KEY', scheme: 'api-key' } });
    expect(hintFor(key)).toBe('check the key from INFUSIONSOFT_API_KEY (Keap app: Settings > API Settings)');
  });

  it('names the credential that lacks permission after a 403', () => {
    const error = new AuthError('x', { problem: 'forbidden', credential: { source: 'INFUSIONSOFT_API_KEY', scheme: 'api-key' } });
    expect(hintFor(error)).toBe(
      "the credential from INFUSIONSOFT_API_KEY may lack permission for this (a personal access token has its user's permissions)",
    );
  });

  it('adds nothing to an error without a hint or a known problem', () => {
    expect(hintFor(new CliError('disk full'))).toBeUndefined();
    expect(hintFor(new AuthError('something else'))).toBeUndefined();
  });
});
