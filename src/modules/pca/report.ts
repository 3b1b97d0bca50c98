/**
 * Reports an auditor hands over: the case report as PDF (findings per declaration line, amounts,
 * legal basis), and the monthly plan as PDF and CSV. pdfkit with its standard fonts (WinAnsi:
 * Spanish accents print as they are).
 */
import PDFDocument from 'pdfkit';

export interface CaseReportData {
  reference: string;
  country: string;
  trader: { tin: string; name: string };
  auditor: string;
  openedAt: string;
  closedAt: string | null;
  status: string;
  source: string;
  scope: { from: string; to: string; declarations: number; description: string };
  documentRequests: { description: string; requestedAt: string; dueAt: string; receivedAt: string | null }[];
  findings: {
    declarationReference: string;
    line: number;
    kind: string;
    description: string;
    declared: string | null;
    established: string | null;
    extraDuties: number;
    extraTaxes: number;
    penalties: number;
    currency: string;
    legalBasis: string;
    foundAt: string;
  }[];
  closure: { outcome: string; note: string; legalBasis: string } | null;
  generatedAt: string;
}

export interface PlanReportData {
  country: string;
  month: string;
  status: string;
  capacityHours: number;
  hoursPlanned: number;
  randomShare: number;
  createdBy: string;
  decidedBy: string | null;
  items: { rank: number; traderTin: string; traderName: string; source: string; expectedRevenue: number; estimatedRecovery: number; hours: number; selected: boolean; reasons: { code: string; amountUsd: number }[] }[];
}

const money = (x: number, cur = 'USD') => `${cur} ${x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const day = (iso: string | null) => (iso ? iso.slice(0, 10) : '-');

function toBuffer(doc: PDFKit.PDFDocument): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.end();
  });
}

function header(doc: PDFKit.PDFDocument, title: string, subtitle: string) {
  doc.font('Helvetica-Bold').fontSize(16).text(title);
  doc.font('Helvetica').fontSize(10).fillColor('#444').text(subtitle).fillColor('black');
  doc.moveDown(0.8);
}

function kv(doc: PDFKit.PDFDocument, rows: [string, string][]) {
  for (const [k, v] of rows) {
    doc.font('Helvetica-Bold').fontSize(10).text(`${k}: `, { continued: true }).font('Helvetica').text(v);
  }
  doc.moveDown(0.6);
}

/** The case report (PDF): who, what scope, documents requested, findings line by line, amounts, legal basis, closure. */
export function caseReportPdf(c: CaseReportData): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `Audit case ${c.reference}`, Author: 'Centinela', Subject: `Post-clearance audit of ${c.trader.name}` } });
  header(doc, `Post-clearance audit report - Informe de auditoria posterior`, `Case ${c.reference} - ${c.country} - generated ${c.generatedAt.slice(0, 16).replace('T', ' ')} UTC`);
  kv(doc, [
    ['Trader / Operador', `${c.trader.name} (TIN ${c.trader.tin})`],
    ['Auditor', c.auditor],
    ['Status / Estado', c.status],
    ['Opened / Abierto', day(c.openedAt)],
    ['Closed / Cerrado', day(c.closedAt)],
    ['Selection / Seleccion', c.source],
    ['Scope / Alcance', `${day(c.scope.from)} to ${day(c.scope.to)}, ${c.scope.declarations} declarations. ${c.scope.description}`],
  ]);
  doc.font('Helvetica-Bold').fontSize(12).text('Documents requested / Documentos requeridos');
  doc.font('Helvetica').fontSize(9);
  if (!c.documentRequests.length) doc.text('None.');
  for (const r of c.documentRequests) doc.text(`- ${r.description} (requested ${day(r.requestedAt)}, due ${day(r.dueAt)}, ${r.receivedAt ? `received ${day(r.receivedAt)}` : 'not received'})`);
  doc.moveDown(0.8);
  doc.font('Helvetica-Bold').fontSize(12).text('Findings / Hallazgos');
  doc.moveDown(0.3);
  const totals = new Map<string, { duties: number; taxes: number; penalties: number }>();
  if (!c.findings.length) doc.font('Helvetica').fontSize(9).text('No finding: the declarations audited are in order.');
  c.findings.forEach((f, i) => {
    const t = totals.get(f.currency) ?? { duties: 0, taxes: 0, penalties: 0 };
    t.duties += f.extraDuties;
    t.taxes += f.extraTaxes;
    t.penalties += f.penalties;
    totals.set(f.currency, t);
    doc.font('Helvetica-Bold').fontSize(9).text(`${i + 1}. Declaration ${f.declarationReference}, line ${f.line} - ${f.kind}`);
    doc.font('Helvetica').fontSize(9).text(f.description);
    if (f.declared || f.established) doc.text(`Declared / Declarado: ${f.declared ?? '-'}   Established / Determinado: ${f.established ?? '-'}`);
    doc.text(`Duties ${money(f.extraDuties, f.currency)}   Taxes ${money(f.extraTaxes, f.currency)}   Penalties ${money(f.penalties, f.currency)}`);
    doc.text(`Legal basis / Fundamento legal: ${f.legalBasis}   Found ${day(f.foundAt)}`);
    doc.moveDown(0.4);
  });
  doc.moveDown(0.4);
  doc.font('Helvetica-Bold').fontSize(12).text('Amounts assessed / Montos determinados');
  doc.font('Helvetica').fontSize(10);
  for (const [cur, t] of totals) {
    doc.text(`Extra duties: ${money(t.duties, cur)}   Extra taxes: ${money(t.taxes, cur)}   Penalties: ${money(t.penalties, cur)}   Total: ${money(t.duties + t.taxes + t.penalties, cur)}`);
  }
  if (!totals.size) doc.text('Total: 0.00');
  doc.moveDown(0.8);
  if (c.closure) {
    doc.font('Helvetica-Bold').fontSize(12).text('Closure / Cierre');
    doc.font('Helvetica').fontSize(10).text(`Outcome: ${c.closure.outcome}. ${c.closure.note}`);
    doc.text(`Legal basis / Fundamento legal: ${c.closure.legalBasis}`);
  }
  doc.moveDown(1.5);
  doc.fontSize(9).text('The trader may appeal this determination within the time the law allows (CAUCA art. 128 ff., RECAUCA).', { oblique: true });
  return toBuffer(doc);
}

/** The monthly plan (PDF): capacity, the ranked proposals with their reasons, the random share. */
export function planPdf(p: PlanReportData): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', layout: 'landscape', margin: 40, info: { Title: `Audit plan ${p.country} ${p.month}`, Author: 'Centinela' } });
  header(doc, `Post-clearance audit plan - Plan de auditoria posterior ${p.country} ${p.month}`, `Status ${p.status}; prepared by ${p.createdBy}${p.decidedBy ? `; decided by ${p.decidedBy}` : ''}`);
  kv(doc, [
    ['Capacity / Capacidad', `${p.capacityHours} h, planned ${p.hoursPlanned} h (${Math.round((p.hoursPlanned / Math.max(1, p.capacityHours)) * 100)}%)`],
    ['Random share / Parte aleatoria', `${Math.round(p.randomShare * 100)}%`],
  ]);
  doc.font('Helvetica-Bold').fontSize(9).text('Rank  TIN  Trader  Source  Expected  Recovery  Hours  In plan  Reasons');
  doc.font('Helvetica').fontSize(8);
  for (const it of p.items.slice(0, 400)) {
    doc.text(`${it.rank}.  ${it.traderTin}  ${it.traderName}  ${it.source}  ${money(it.expectedRevenue)}  ${money(it.estimatedRecovery)}  ${it.hours} h  ${it.selected ? 'yes' : 'no'}  ${it.reasons.map((r) => `${r.code} ${money(r.amountUsd)}`).join('; ')}`);
  }
  return toBuffer(doc);
}

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  // a cell starting like a formula is quoted with a leading apostrophe (CSV injection)
  const safe = /^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
};

/** The monthly plan as CSV, one row per proposal. */
export function planCsv(p: PlanReportData): string {
  const head = ['rank', 'trader_tin', 'trader_name', 'source', 'expected_revenue_usd', 'estimated_recovery_usd', 'hours', 'in_plan', 'reasons'];
  const rows = p.items.map((it) => [it.rank, it.traderTin, it.traderName, it.source, it.expectedRevenue.toFixed(2), it.estimatedRecovery.toFixed(2), it.hours, it.selected ? 'yes' : 'no', it.reasons.map((r) => `${r.code}:${r.amountUsd.toFixed(2)}`).join(' ')]);
  return [head, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}
