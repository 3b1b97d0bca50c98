import type { ControlReportPayload, RifSentPayload, RifSubject } from './payloads.ts';

/**
 * A partner's alert as a criterion: the CEL expression built from a RIF's subject (or from a
 * seizure reported by a partner), the weight or forced channel its recommended action implies,
 * and a name and reason an analyst can read. Pure: no I/O. The analyst reviews and may edit the
 * expression before it is saved (and a second person approves it).
 *
 * The identifiers of the subject (traders, vehicles, containers) are alternatives: a declaration
 * matches when any of them appears on it. Goods and route narrow it: when given, they must match
 * too. With no identifier, goods and route alone make the criterion.
 */

/** A CEL string literal (JSON's escaping is valid CEL for the characters the subject allows). */
const lit = (s: string) => JSON.stringify(s);
const list = (xs: readonly string[]) => `[${xs.map(lit).join(', ')}]`;

export function subjectExpression(s: RifSubject): string {
  const ids: string[] = [];
  if (s.traderTins.length) {
    const l = list(s.traderTins);
    ids.push(`decl.importer.tin in ${l}`, `decl.exporter.tin in ${l}`, `decl.declarant.tin in ${l}`);
  }
  if (s.plates.length) {
    // plates as written and without spaces or dashes (border posts write them differently)
    const l = list([...new Set(s.plates.flatMap((p) => [p.toUpperCase(), normalisePlate(p)]))]);
    ids.push(`decl.transport.conveyance.upperAscii() in ${l}`);
  }
  if (s.containers.length) ids.push(`decl.transport.containers.exists(c, c in ${list(s.containers)})`);
  const parts: string[] = [];
  if (ids.length) parts.push(ids.length > 1 ? `(${ids.join(' || ')})` : ids[0]);
  if (s.goods.hsCodes.length) parts.push(`decl.items.exists(i, ${s.goods.hsCodes.map((h) => `i.hsCode.startsWith(${lit(h)})`).join(' || ')})`);
  if (s.route.dispatch.length) parts.push(`decl.countryOfDispatch in ${list(s.route.dispatch)}`);
  if (s.route.destination.length) parts.push(`decl.countryOfDestination in ${list(s.route.destination)}`);
  return parts.join(' && ');
}

export function normalisePlate(p: string): string {
  return p.toUpperCase().replace(/[\s-]/g, '');
}

/** What the recommended action means for selectivity. */
export function actionEffect(action: RifSentPayload['recommendedAction']): { weight: number; forcedChannel: 'red' | 'yellow' | null } {
  switch (action) {
    case 'inspect':
    case 'scan':
      return { weight: 0, forcedChannel: 'red' };
    case 'document_check':
      return { weight: 0, forcedChannel: 'yellow' };
    case 'watch':
      return { weight: 40, forcedChannel: null };
  }
}

/** The criterion a RIF proposes to its recipient (before the analyst's edits). */
export function rifCriterionDraft(rif: Pick<RifSentPayload, 'reference' | 'administration' | 'title' | 'subject' | 'recommendedAction' | 'riskType' | 'indicators' | 'validTo'>) {
  const effect = actionEffect(rif.recommendedAction);
  return {
    name: `RIF ${rif.reference}: ${rif.title}`.slice(0, 120),
    reason: `Risk information form ${rif.reference} from ${rif.administration} (${rif.riskType}): ${rif.indicators.text}`.slice(0, 1000),
    expression: subjectExpression(rif.subject),
    weight: effect.weight,
    forcedChannel: effect.forcedChannel,
    validTo: rif.validTo,
  };
}

/** The subject a partner's control report points at (trader, vehicle, containers, goods): for a watch criterion. */
export function reportSubject(r: ControlReportPayload): RifSubject {
  const hs = [...new Set(r.goods.map((g) => g.hsCode.slice(0, 6)))];
  const containers = r.transport.containers.filter((c) => /^[A-Z]{3}[UJZ]\d{7}$/.test(c));
  const plate = r.transport.conveyance && /^[A-Z0-9][A-Z0-9 -]{1,19}$/.test(r.transport.conveyance.toUpperCase()) && (r.transport.mode === 3 || r.transport.mode === null) ? [r.transport.conveyance.toUpperCase()] : [];
  const tins = r.trader?.tin && /^[A-Z0-9][A-Z0-9./-]{1,39}$/.test(r.trader.tin.toUpperCase()) ? [r.trader.tin.toUpperCase()] : [];
  return {
    traderTins: tins,
    plates: plate,
    containers,
    route: { dispatch: [], destination: [], offices: [] },
    // with an identifier, the goods narrow it; without one, the goods and the route of the report make the criterion
    goods: { hsCodes: tins.length || plate.length || containers.length ? [] : hs },
  };
}
