/** ISO 6346 container numbers: owner code (3 letters), category (U, J or Z), serial (6 digits), check digit. */
const LETTER_VALUES: Record<string, number> = (() => {
  const v: Record<string, number> = {};
  let n = 10;
  for (const ch of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') {
    if (n % 11 === 0) n++; // 11, 22, 33 are skipped
    v[ch] = n++;
  }
  return v;
})();

export const CONTAINER_RE = /^[A-Z]{3}[UJZ]\d{7}$/;

/** The check digit ISO 6346 gives the first ten characters. */
export function containerCheckDigit(first10: string): number {
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    const ch = first10[i];
    const v = ch >= '0' && ch <= '9' ? ch.charCodeAt(0) - 48 : LETTER_VALUES[ch];
    sum += v * 2 ** i;
  }
  return (sum % 11) % 10;
}

export type ContainerProblem = 'format' | 'check_digit';

export function checkContainer(no: string): ContainerProblem | null {
  if (!CONTAINER_RE.test(no)) return 'format';
  return containerCheckDigit(no.slice(0, 10)) === Number(no[10]) ? null : 'check_digit';
}

/** Completes an owner code + category + 6-digit serial with its check digit. */
export function withCheckDigit(first10: string): string {
  return first10 + String(containerCheckDigit(first10));
}
