import { RE2JS } from 're2js';

/**
 * Regular expressions of criteria (`matches`) run on RE2 (re2js, a pure JavaScript port): time
 * linear in the input whatever the pattern, so no pattern can backtrack catastrophically
 * (`"aaaa…!".matches("^(a+)+$")`). RE2 syntax is CEL's own (the CEL spec says RE2); what RE2 does
 * not support (backreferences, lookaround) is refused when the criterion is checked.
 *
 * Every `matches` of every evaluation path goes through `re2Test`: the generated code and the
 * closures (compile.ts, codegen.ts) and cel-js itself (cel.ts installs it as the handler of
 * `string.matches(string)`).
 */

/** a pattern RE2 cannot compile: a runtime failure of the criterion when the pattern is dynamic */
export class RegexError extends Error {
  constructor(
    readonly pattern: string,
    readonly reason: string,
  ) {
    super(`invalid regular expression "${pattern.length > 80 ? `${pattern.slice(0, 80)}…` : pattern}": ${reason}`);
  }
}

/** the longest pattern accepted (RE2 compiles in time and memory proportional to it) */
export const MAX_PATTERN_LENGTH = 1000;

const cache = new Map<string, RE2JS | RegexError>();

function reasonOf(e: unknown): string {
  const m = String((e as Error)?.message ?? e).replace(/^error parsing regexp:\s*/, '');
  return m.length > 200 ? `${m.slice(0, 200)}…` : m;
}

/** RE2 for a pattern (compiled once, cached), or the RegexError saying why not. */
export function re2(pattern: string): RE2JS | RegexError {
  let r = cache.get(pattern);
  if (r) return r;
  if (pattern.length > MAX_PATTERN_LENGTH) r = new RegexError(pattern, `longer than ${MAX_PATTERN_LENGTH} characters`);
  else
    try {
      r = RE2JS.compile(pattern);
    } catch (e) {
      r = new RegexError(pattern, reasonOf(e));
    }
  if (cache.size >= 2000) cache.clear();
  cache.set(pattern, r);
  return r;
}

/** Throws RegexError for a pattern RE2 refuses; returns the compiled matcher otherwise. */
export function re2Compile(pattern: string): RE2JS {
  const r = re2(pattern);
  if (r instanceof RegexError) throw r;
  return r;
}

/** CEL `s.matches(pattern)`: true when the pattern matches anywhere in `s` (RE2 semantics). */
export function re2Test(s: string, pattern: string): boolean {
  return re2Compile(pattern).test(s);
}

/** null when RE2 accepts the pattern, else why not (for the checker). */
export function regexProblem(pattern: string): string | null {
  const r = re2(pattern);
  return r instanceof RegexError ? r.reason : null;
}
