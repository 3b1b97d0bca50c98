/** Plain explanations of alerts, in Spanish and English, from their code and parameters. */
import type { AlertKind, WithdrawalReason } from './detectors.ts';

type P = Record<string, unknown>;
const s = (v: unknown) => (v === null || v === undefined || v === '' ? '?' : String(v));
const hm = (iso: unknown) => (typeof iso === 'string' && iso.length >= 16 ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : s(iso));

/** The time limit as the alert shows it: declared by the office of departure (with the tolerance) or proposed by Centinela. */
function limitText(p: P): { es: string; en: string } {
  const tol = s(p.toleranceHours ?? 0);
  if (p.limitSource === 'declared')
    return {
      es: `declarado por la aduana de partida (${hm(p.expectedAt ?? p.timeLimit)}; tolerancia ${tol} h${p.proposedLimit ? `; el calculado por la ruta sería ${hm(p.proposedLimit)}` : ''})`,
      en: `declared by the office of departure (${hm(p.expectedAt ?? p.timeLimit)}; tolerance ${tol} h${p.proposedLimit ? `; the one computed from the route would be ${hm(p.proposedLimit)}` : ''})`,
    };
  return {
    es: `propuesto por Centinela a partir de la ruta, porque la declaración no trae plazo (${hm(p.expectedAt ?? p.timeLimit)}; tolerancia ${tol} h)`,
    en: `proposed by Centinela from the route, as the declaration carries none (${hm(p.expectedAt ?? p.timeLimit)}; tolerance ${tol} h)`,
  };
}

const TEXT: Record<AlertKind, (p: P) => { es: string; en: string }> = {
  overdue: (p) => {
    const limit = limitText(p);
    return p.destination
      ? {
          es: `El tránsito ${s(p.movement)} ${p.reachedAt ? `llegó a destino (${s(p.office)}) el ${hm(p.reachedAt)}` : `no ha llegado a destino (${s(p.office)})`}, ${s(p.hoursLate)} h después del plazo ${limit.es}.`,
          en: `Transit ${s(p.movement)} ${p.reachedAt ? `reached its destination (${s(p.office)}) on ${hm(p.reachedAt)}` : `has not reached its destination (${s(p.office)})`}, ${s(p.hoursLate)} h after the time limit ${limit.en}.`,
        }
      : {
          es: `El tránsito ${s(p.movement)} ${p.reachedAt ? `pasó por ${s(p.office)} (${s(p.country)}) el ${hm(p.reachedAt)}` : `no ha pasado por ${s(p.office)} (${s(p.country)})`}, ${s(p.hoursLate)} h después de lo previsto (${hm(p.expectedAt)}; tolerancia ${s(p.toleranceHours ?? 0)} h).`,
          en: `Transit ${s(p.movement)} ${p.reachedAt ? `passed ${s(p.office)} (${s(p.country)}) on ${hm(p.reachedAt)}` : `has not passed ${s(p.office)} (${s(p.country)})`}, ${s(p.hoursLate)} h later than expected (${hm(p.expectedAt)}; tolerance ${s(p.toleranceHours ?? 0)} h).`,
        };
  },
  skipped_checkpoint: (p) => ({
    es: `El tránsito ${s(p.movement)} no registró paso por el punto de control previsto ${s(p.office)} (${s(p.country)}), pero fue visto después en ${s(p.laterOffice)} el ${hm(p.laterAt)}.`,
    en: `Transit ${s(p.movement)} was never recorded at the planned checkpoint ${s(p.office)} (${s(p.country)}), yet was seen later at ${s(p.laterOffice)} on ${hm(p.laterAt)}.`,
  }),
  off_route_crossing: (p) => ({
    es: `El tránsito ${s(p.movement)} fue registrado en ${s(p.office)} (${s(p.country)}) el ${hm(p.at)}, que no está en su ruta (${s(p.planned)}).`,
    en: `Transit ${s(p.movement)} was recorded at ${s(p.office)} (${s(p.country)}) on ${hm(p.at)}, which is not on its route (${s(p.planned)}).`,
  }),
  seal_tampered: (p) =>
    p.how === 'broken'
      ? { es: `El marchamo ${s(p.seal)} del tránsito ${s(p.movement)} estaba roto en ${s(p.office)} el ${hm(p.at)}.`, en: `Seal ${s(p.seal)} of transit ${s(p.movement)} was found broken at ${s(p.office)} on ${hm(p.at)}.` }
      : {
          es: `En ${s(p.office)} el ${hm(p.at)} el tránsito ${s(p.movement)} llevaba el marchamo ${s(p.seal)}, que no es ninguno de los declarados (${s(p.declared)}).`,
          en: `At ${s(p.office)} on ${hm(p.at)} transit ${s(p.movement)} carried seal ${s(p.seal)}, which is none of those declared (${s(p.declared)}).`,
        },
  weight_mismatch: (p) => ({
    es: `En ${s(p.office)} el ${hm(p.at)} la carga del tránsito ${s(p.movement)} pesó ${s(p.weighedKg)} kg, ${s(p.pct)} % distinto de ${p.previousKg !== null ? `la pesada anterior en ${s(p.previousOffice)} (${s(p.previousKg)} kg)` : `lo declarado (${s(p.declaredKg)} kg)`}; la tolerancia es ${s(p.tolerancePct)} %.`,
    en: `At ${s(p.office)} on ${hm(p.at)} the cargo of transit ${s(p.movement)} weighed ${s(p.weighedKg)} kg, ${s(p.pct)}% off ${p.previousKg !== null ? `the previous weighing at ${s(p.previousOffice)} (${s(p.previousKg)} kg)` : `the declared mass (${s(p.declaredKg)} kg)`}; the tolerance is ${s(p.tolerancePct)}%.`,
  }),
  impossible_travel: (p) => ({
    es: `El tránsito ${s(p.movement)} fue registrado en ${s(p.from)} y luego en ${s(p.to)}, a ${s(p.km)} km, sólo ${s(p.minutes)} minutos después (${p.kmh === null ? 'al mismo tiempo' : `${s(p.kmh)} km/h`}; máximo ${s(p.maxKmh)} km/h).`,
    en: `Transit ${s(p.movement)} was recorded at ${s(p.from)} and then at ${s(p.to)}, ${s(p.km)} km away, only ${s(p.minutes)} minutes later (${p.kmh === null ? 'at the same time' : `${s(p.kmh)} km/h`}; at most ${s(p.maxKmh)} km/h).`,
  }),
  cloned_tag: (p) => ({
    es: `La etiqueta RFID ${s(p.tag)} del tránsito ${s(p.movement)} fue leída en ${s(p.officeA)} y en ${s(p.officeB)}, a ${s(p.km)} km, con ${s(p.minutes)} minutos de diferencia: probablemente está clonada.`,
    en: `RFID tag ${s(p.tag)} of transit ${s(p.movement)} was read at ${s(p.officeA)} and at ${s(p.officeB)}, ${s(p.km)} km apart, ${s(p.minutes)} minutes apart: it is probably cloned.`,
  }),
  never_closed: (p) => ({
    es: `El tránsito ${s(p.movement)} sigue abierto ${s(p.days ?? p.daysOver)} días después de su plazo (${hm(p.timeLimit)}); última vez visto ${p.lastSeenAt ? `en ${s(p.lastOffice)} el ${hm(p.lastSeenAt)}` : 'nunca'}.`,
    en: `Transit ${s(p.movement)} is still open ${s(p.days ?? p.daysOver)} days after its time limit (${hm(p.timeLimit)}); last seen ${p.lastSeenAt ? `at ${s(p.lastOffice)} on ${hm(p.lastSeenAt)}` : 'never'}.`,
  }),
  discharged_not_declared: (p) => ({
    es: `La carga del documento de transporte ${s(p.transportDocument)} (manifiesto ${s(p.manifest)}) se descargó en ${s(p.office)} el ${hm(p.dischargedAt)} y no se ha declarado en el plazo legal de ${s(p.days)} días.`,
    en: `The goods of transport document ${s(p.transportDocument)} (manifest ${s(p.manifest)}) were discharged at ${s(p.office)} on ${hm(p.dischargedAt)} and have not been declared within the legal period of ${s(p.days)} days.`,
  }),
  declared_not_discharged: (p) => ({
    es: `El documento de transporte ${s(p.transportDocument)} (manifiesto ${s(p.manifest)}) fue declarado (${s(p.declarations)}) pero nunca se registró su descarga en ${s(p.office)}.`,
    en: `Transport document ${s(p.transportDocument)} (manifest ${s(p.manifest)}) was declared (${s(p.declarations)}) but its discharge at ${s(p.office)} was never recorded.`,
  }),
  ambiguous_identification: (p) => ({
    es: `Un evento (${s(p.type)}) en ${s(p.office)} el ${hm(p.at)} identifica el tránsito por ${fieldEs(p.field)} ${s(p.value)}, que corresponde a ${s(p.count)} tránsitos abiertos (${s(p.candidates)}): no se asignó a ninguno.`,
    en: `An event (${s(p.type)}) at ${s(p.office)} on ${hm(p.at)} identifies the transit by ${fieldEn(p.field)} ${s(p.value)}, which matches ${s(p.count)} open transits (${s(p.candidates)}): it was attached to none.`,
  }),
  manifest_discharge_mismatch: (p) => ({
    es: `El manifiesto ${s(p.manifest)} declara ${s(p.manifestPackages)} bultos y ${s(p.manifestKg)} kg para ${s(p.transportDocument)}; se descargaron ${s(p.dischargedPackages)} bultos y ${s(p.dischargedKg)} kg en ${s(p.office)}.`,
    en: `Manifest ${s(p.manifest)} lists ${s(p.manifestPackages)} packages and ${s(p.manifestKg)} kg for ${s(p.transportDocument)}; ${s(p.dischargedPackages)} packages and ${s(p.dischargedKg)} kg were discharged at ${s(p.office)}.`,
  }),
};

function fieldEs(f: unknown): string {
  return ({ tag: 'la etiqueta RFID', seal: 'el marchamo', plate: 'la placa', container: 'el contenedor' } as Record<string, string>)[String(f)] ?? String(f);
}
function fieldEn(f: unknown): string {
  return ({ tag: 'RFID tag', seal: 'seal', plate: 'plate', container: 'container' } as Record<string, string>)[String(f)] ?? String(f);
}

const WITHDRAWN: Record<WithdrawalReason, (p: P) => { es: string; en: string }> = {
  clone_twin: (p) => ({
    es: `Retirada: la lectura ${s(p.twin)} es de la etiqueta clonada ${s(p.tag)}, no del vehículo (la lectura genuina es ${s(p.genuine)}).`,
    en: `Withdrawn: read ${s(p.twin)} belongs to the cloned tag ${s(p.tag)}, not to the vehicle (the genuine read is ${s(p.genuine)}).`,
  }),
  superseded: (p) => ({ es: `Retirada: la misma causa queda explicada por la alerta ${s(p.by)}.`, en: `Withdrawn: the same root cause is explained by the ${s(p.by)} alert.` }),
  declaration_amended: () => ({ es: 'Retirada: la declaración de tránsito fue enmendada y ya no la justifica.', en: 'Withdrawn: the transit declaration was amended and no longer justifies it.' }),
  later_events: (p) => ({
    es: `Retirada: el evento ${s(p.eventId)} (${s(p.type)}${p.office ? ` en ${s(p.office)}` : ''}, ${hm(p.at)}), llegado después, la explica.`,
    en: `Withdrawn: event ${s(p.eventId)} (${s(p.type)}${p.office ? ` at ${s(p.office)}` : ''}, ${hm(p.at)}), which arrived later, explains it.`,
  }),
  reevaluated: () => ({ es: 'Retirada: con los datos y umbrales actuales ya no se sostiene.', en: 'Withdrawn: it no longer holds on the current data and thresholds.' }),
};

/** Why an alert was withdrawn, in Spanish and English. */
export function explainWithdrawal(reason: string, params: P): { es: string; en: string } {
  const f = WITHDRAWN[reason as WithdrawalReason];
  return f ? f(params) : { es: `Retirada (${reason})`, en: `Withdrawn (${reason})` };
}

export function explainAlert(kind: string, params: P): { es: string; en: string } {
  const f = TEXT[kind as AlertKind];
  return f ? f(params) : { es: `Alerta ${kind}`, en: `Alert ${kind}` };
}
