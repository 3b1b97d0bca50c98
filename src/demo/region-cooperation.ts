/**
 * The regional risk-cooperation part of `centinela region demo` (issue 11, point 8).
 *
 *   playCooperationScenario(nodes: CooperationNodes, opts?: CooperationScenarioOptions): Promise<CooperationScenarioResult>
 *
 * `nodes` maps GT, SV and HN to the node serving each (its `Services` from buildServices, exchange
 * started; one node may serve several of them). The scenario, each step through the exchange:
 *  1. an HN analyst sends a risk information form (a trader and a container seen in an HN seizure)
 *     to GT; a GT analyst accepts it — a criterion awaiting approval — and a GT supervisor (a
 *     second person) approves it;
 *  2. the regional working group (a regional analyst of GT) proposes a common criterion to GT, SV
 *     and HN; GT and SV adopt it (each approved by a second person of their own), HN declines it
 *     with a reason;
 *  3. it waits until HN sees GT's answer and the group sees the three answers.
 * The people acting are given in `opts.people` (default: demo principals named after their role).
 * Waiting polls each node's own records (no shared state between nodes), up to `opts.timeoutMs`.
 */
import { uuidv7 } from '../core/ids.ts';
import type { Principal, Role } from '../modules/access/types.ts';
import type { Services } from '../app/services.ts';

export type CooperationNode = { services: Pick<Services, 'cooperation' | 'risk'> };
export type CooperationNodes = Record<'GT' | 'SV' | 'HN', CooperationNode>;

export interface CooperationScenarioOptions {
  people?: Partial<Record<'hnAnalyst' | 'gtAnalyst' | 'gtSupervisor' | 'svAnalyst' | 'svSupervisor' | 'hnAnalyst2' | 'regional', Principal>>;
  /** when the validity of the RIF ends (default: 90 days after `now`) */
  now?: Date;
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface CooperationScenarioResult {
  rif: { id: string; reference: string; gtCriterionId: string; gtCriterionStatus: string };
  proposal: { id: string; reference: string; answers: Record<string, string | null>; criteria: Record<string, string> };
}

const person = (name: string, role: Role, country: string): Principal => ({ kind: 'user', id: uuidv7(), name, role, country });

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`region demo: timed out waiting for ${what} (is every node's exchange started and the bus reachable?)`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function playCooperationScenario(nodes: CooperationNodes, opts: CooperationScenarioOptions = {}): Promise<CooperationScenarioResult> {
  const log = opts.log ?? (() => {});
  const timeout = opts.timeoutMs ?? 60_000;
  const p = {
    hnAnalyst: person('hn.analista', 'risk_analyst', 'HN'),
    hnAnalyst2: person('hn.analista2', 'risk_analyst', 'HN'),
    gtAnalyst: person('gt.analista', 'risk_analyst', 'GT'),
    gtSupervisor: person('gt.supervisor', 'supervisor', 'GT'),
    svAnalyst: person('sv.analista', 'risk_analyst', 'SV'),
    svSupervisor: person('sv.supervisor', 'supervisor', 'SV'),
    regional: person('region.analista', 'regional_analyst', 'GT'),
    ...opts.people,
  };
  const now = opts.now ?? new Date();
  const hn = nodes.HN.services;
  const gt = nodes.GT.services;
  const sv = nodes.SV.services;

  // 1. a RIF from HN, accepted by GT and approved there by a second person
  const rif = await hn.cooperation.sendRif(p.hnAnalyst, {
    title: 'Cigarrillos ocultos en contenedores de muebles',
    riskType: 'revenue',
    subject: { traderTins: ['0801-1999-00123'], plates: [], containers: ['MSCU1234565'], route: { dispatch: ['PA'], destination: [], offices: [] }, goods: { hsCodes: ['9403', '2402'], description: 'muebles de madera; cigarrillos' } },
    indicators: { text: 'Decomiso en Puerto Cortés: cigarrillos tras un doble fondo en muebles declarados; mismo importador opera en GT', items: [{ kind: 'concealment', value: 'doble fondo en muebles' }] },
    recommendedAction: 'inspect',
    validTo: new Date(now.getTime() + 90 * 86_400_000).toISOString(),
    handling: 'customs_only',
    feedbackRequested: true,
    recipients: ['GT'],
  });
  log(`RIF ${rif.reference} sent by HN to GT`);
  await waitFor(`${rif.reference} in GT's inbox`, async () => (await gt.cooperation.listRifs(p.gtAnalyst, { box: 'inbox', limit: 100 })).find((r) => r.id === rif.id), timeout);
  const accepted = await gt.cooperation.acceptRif(p.gtAnalyst, rif.id, { note: 'Aplicado en Puerto Quetzal y Santo Tomás' });
  const approved = await gt.risk.approveCriterion(p.gtSupervisor, accepted.criterionId!, 'RIF de HN: aprobado');
  log(`GT accepted ${rif.reference}: criterion ${approved.name} ${approved.status}`);
  await waitFor(`GT's answer at HN`, async () => (await hn.cooperation.getRif(p.hnAnalyst, rif.id)).partners.find((x) => x.administration === 'GT' && x.decision === 'accepted'), timeout);

  // 2. a common criterion: adopted by GT and SV, declined by HN
  const prop = await gt.cooperation.proposeCriterion(p.regional, {
    name: 'Textiles de origen asiático bajo valor por kg',
    rationale: 'Subvaluación de prendas de los capítulos 61 y 62 detectada en los tres países de la unión aduanera',
    expression: 'decl.items.exists(i, (i.chapter == "61" || i.chapter == "62") && i.unitValuePerKg < 4.0)',
    scope: { types: ['IM'], stages: ['declaration'] },
    weight: 35,
    forcedChannel: null,
    validTo: null,
    recipients: ['GT', 'SV', 'HN'],
  });
  log(`common criterion ${prop.reference} proposed to GT, SV and HN`);
  const criteria: Record<string, string> = {};
  for (const [country, svc, analyst, second] of [
    ['GT', gt, p.gtAnalyst, p.gtSupervisor],
    ['SV', sv, p.svAnalyst, p.svSupervisor],
  ] as const) {
    await waitFor(`${prop.reference} at ${country}`, async () => (await svc.cooperation.listProposals(analyst, { box: 'inbox', limit: 100 })).find((x) => x.id === prop.id), timeout);
    const a = await svc.cooperation.adoptProposal(analyst, prop.id, {});
    const c = await svc.risk.approveCriterion(second, a.criterionId!, 'criterio regional común');
    criteria[country] = c.status;
    log(`${country} adopted ${prop.reference}: criterion ${c.status}`);
  }
  await waitFor(`${prop.reference} at HN`, async () => (await hn.cooperation.listProposals(p.hnAnalyst2, { box: 'inbox', limit: 100 })).find((x) => x.id === prop.id), timeout);
  await hn.cooperation.declineProposal(p.hnAnalyst2, prop.id, 'Cubierto por el perfil nacional de textiles vigente');
  log(`HN declined ${prop.reference}`);
  const group = await waitFor(
    `the three answers at the group`,
    async () => {
      const g = await gt.cooperation.getProposal(p.regional, prop.id, undefined, 'outbox');
      return g.members.every((m) => m.decision) ? g : null;
    },
    timeout,
  );
  return {
    rif: { id: rif.id, reference: rif.reference, gtCriterionId: approved.id, gtCriterionStatus: approved.status },
    proposal: { id: prop.id, reference: prop.reference, answers: Object.fromEntries(group.members.map((m) => [m.administration, m.decision])), criteria },
  };
}
