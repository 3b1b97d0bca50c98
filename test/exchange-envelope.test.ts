import { describe, expect, it } from 'vitest';
import { canonicalize } from '../src/modules/exchange/canonical.ts';
import { generateKeyPair, keyIdOf, openPrivateKey, privateKeyObject, publicKeyObject, sealPrivateKey } from '../src/modules/exchange/crypto.ts';
import { envelopeSchema, signEnvelope, verifyEnvelope } from '../src/modules/exchange/envelope.ts';
import { applySharingRules } from '../src/modules/exchange/sharing.ts';

describe('canonical JSON (RFC 8785)', () => {
  it('sorts members by UTF-16 code units and writes numbers as ECMAScript does (the RFC examples)', () => {
    // RFC 8785 §3.2.3: sorting by UTF-16 code units, not code points
    const sorted = canonicalize({ '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '\ufb33': 'Hebrew Letter Dalet With Dagesh', '1': 'One', '\ud83d\ude00': 'Emoji: Grinning Face', '\u0080': 'Control', '\u00f6': 'Latin Small Letter O With Diaeresis' });
    expect(sorted).toBe('{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}');
    // RFC 8785 §3.2.2 (numbers and string escapes of the main example)
    expect(canonicalize({ numbers: [333333333.3333333, 1e30, 4.5, 2e-3, 0.000000000000000000000000001], string: '\u20ac$\u000F\u000aA\'\u0042\u0022\u005c\\"/', literals: [null, true, false] })).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
    expect(canonicalize({ b: [1, { d: 2, c: undefined }], a: new Date('2026-01-01T00:00:00Z') })).toBe('{"a":"2026-01-01T00:00:00.000Z","b":[1,{"d":2}]}');
    expect(canonicalize(-0)).toBe('0');
  });
  it('refuses what is not JSON', () => {
    expect(() => canonicalize({ x: NaN })).toThrow(/x/);
    expect(() => canonicalize({ s: '\ud800' })).toThrow(/lone surrogate/);
    expect(() => canonicalize(10n)).toThrow();
  });
});

describe('envelope signatures', () => {
  const kp = generateKeyPair('GT');
  const base = { id: '01890a5d-ac96-774b-bcce-b302099a8057', sender: 'GT', recipients: ['SV'], kind: 'rif.sent' as const, schemaVersion: 1, sentAt: '2026-06-15T12:00:00.000Z', subject: null, payload: { b: 1, a: 'ñ' }, keyId: kp.keyId };
  it('verifies whatever the member order, and fails when anything signed changes', () => {
    const e = signEnvelope(base, privateKeyObject(kp.privatePem));
    expect(envelopeSchema.safeParse(e).success).toBe(true);
    const pub = publicKeyObject(kp.publicKey);
    expect(verifyEnvelope({ ...e, payload: { a: 'ñ', b: 1 } }, pub)).toBe(true);
    expect(verifyEnvelope({ ...e, payload: { a: 'n', b: 1 } }, pub)).toBe(false);
    expect(verifyEnvelope({ ...e, recipients: ['SV', 'HN'] }, pub)).toBe(false);
    expect(verifyEnvelope({ ...e, sentAt: '2026-06-15T12:00:00.001Z' }, pub)).toBe(false);
    expect(verifyEnvelope(e, publicKeyObject(generateKeyPair('GT').publicKey))).toBe(false);
  });
  it('a key id names its key and its administration', () => {
    expect(kp.keyId.startsWith('GT-')).toBe(true);
    expect(keyIdOf('GT', kp.publicKey)).toBe(kp.keyId);
    expect(keyIdOf('SV', kp.publicKey)).not.toBe(kp.keyId);
  });
  it('private keys sealed at rest open only with their secret', () => {
    const sealed = sealPrivateKey(kp.privatePem, 's3cret');
    expect(sealed).not.toContain('PRIVATE KEY');
    expect(openPrivateKey(sealed, 's3cret')).toBe(kp.privatePem);
    expect(() => openPrivateKey(sealed, 'wrong')).toThrow(/not the secret/);
    expect(() => openPrivateKey(sealed, undefined)).toThrow(/CENTINELA_EXCHANGE_KEY_SECRET/);
  });
});

describe('sharing rules', () => {
  const payload = { officer: 'J. Pérez', goods: 'cigarettes', controls: [{ officer: 'A', result: 'hit' }, { officer: 'B', result: 'none' }], nested: { officer: 'keep' } };
  it('keep the partners the rule names, remove the paths it names (with * for every element)', () => {
    const r = applySharingRules({ rules: [{ kind: 'seizure.reported', partners: ['SV', 'HN'], redact: ['officer', 'controls.*.officer', 'missing.path'] }] }, 'seizure.reported', ['SV', 'NI', 'HN'], payload);
    expect(r.recipients).toEqual(['SV', 'HN']);
    expect(r.redacted).toEqual(['officer', 'controls.0.officer', 'controls.1.officer']);
    expect(r.payload).toEqual({ goods: 'cigarettes', controls: [{ result: 'hit' }, { result: 'none' }], nested: { officer: 'keep' } });
    expect(payload.officer).toBe('J. Pérez');
  });
  it('a kind with no rule goes to no one; `*` rules cover the rest; receipts pass', () => {
    const rules = { rules: [{ kind: 'rif.sent' as const, partners: ['*'], redact: [] }] };
    expect(applySharingRules(rules, 'seizure.reported', ['SV'], {}).recipients).toEqual([]);
    expect(applySharingRules(rules, 'rif.sent', ['SV', 'CR'], {}).recipients).toEqual(['SV', 'CR']);
    expect(applySharingRules({ rules: [] }, 'exchange.receipt', ['SV'], {}).recipients).toEqual(['SV']);
  });
});
