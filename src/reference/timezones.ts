/** Time zone of each administration (none of them keeps daylight saving time today): reference data every module may read. */
export const TIME_ZONES: Record<string, string> = {
  GT: 'America/Guatemala',
  SV: 'America/El_Salvador',
  HN: 'America/Tegucigalpa',
  NI: 'America/Managua',
  CR: 'America/Costa_Rica',
  PA: 'America/Panama',
  DO: 'America/Santo_Domingo',
};

export function timeZoneOf(country: string): string {
  return TIME_ZONES[country] ?? 'UTC';
}
