/**
 * `engines` says what is true: every installed package runs on the oldest Node.js that
 * package.json declares (so `npm ci` prints no EBADENGINE warning), and that declared minimum has
 * `require(esm)`, which two ESM-only dependencies need (Node >= 20.19).
 */
import fs from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));

describe('the declared Node.js range', () => {
  const declared: string = pkg.engines.node;
  const oldest = semver.minVersion(declared)!;

  it('starts at a Node.js with require(esm) (20.19)', () => {
    expect(semver.gte(oldest, '20.19.0')).toBe(true);
  });

  it('is supported by every package in the lock file', () => {
    const refusing: string[] = [];
    for (const [where, p] of Object.entries<{ version?: string; engines?: { node?: string } | string[]; optional?: boolean; dev?: boolean }>(lock.packages)) {
      if (!where || p.optional) continue;
      const node = !Array.isArray(p.engines) ? p.engines?.node : undefined;
      if (!node) continue;
      if (!semver.validRange(node)) continue;
      // the package must accept the oldest Node.js we say we run on, and the one running the tests
      for (const v of [oldest.version, process.versions.node]) {
        if (!semver.satisfies(v, node, { includePrerelease: true })) refusing.push(`${where}@${p.version} wants node ${node} (not ${v})`);
      }
    }
    expect(refusing).toEqual([]);
  });
});
