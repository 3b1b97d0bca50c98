/**
 * The walls between modules, checked (run with tsx: `npm run check:walls`).
 *
 * A module is the first folder under src/modules; src/flows and src/app are units of their own
 * (they own no tables). Every .ts/.mts/.js/.mjs file under src/modules, src/flows and src/app is
 * parsed with the TypeScript compiler API (syntax only, no type-checking) and checked for:
 * - cycles between units in the import graph (static, dynamic and type-only imports and
 *   re-exports all count: a type is part of a module's contract too);
 * - uses of another module's tables: `schema.<table>` (schema from db/client.ts or a namespace
 *   import of db/schema/*), imports from db/schema/<other>.ts, and raw SQL naming another module's
 *   table (`from|join|into|update <table>`) in sql`` templates, sql.raw(...) and other strings that
 *   read as SQL.
 * The owner of a table is the module named by its schema file, src/db/schema/<module>.ts
 * (SCHEMA_FILE_OWNERS for a file not named after a module).
 *
 * Known violations are recorded in scripts/walls-debt.json (file, kind, detail, count). The check
 * fails on any violation not recorded there (or more occurrences than recorded) and on any
 * recorded entry that no longer occurs as recorded: the list only shrinks and stays true.
 * `--write-debt` rewrites it from the tree as it is; `--verbose` lists every violation with its
 * lines; `--tables` prints the table → module map; `--root DIR` and `--debt FILE` point elsewhere.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

/**
 * Schema files not named after a module, and the module that owns their tables. sim.ts holds the
 * simulator's ground truth: src/sim is not a module, and the only module that writes it is
 * declarations (declarations/truth.ts stores the truth files `centinela import` reads), so the
 * declarations module owns it; risk's backtest and the demo read it through declarations.
 */
export const SCHEMA_FILE_OWNERS: Readonly<Record<string, string>> = { sim: 'declarations' };

/** The folders scanned, relative to the root. */
export const SCANNED_DIRS = ['src/modules', 'src/flows', 'src/app'];

export type ViolationKind = 'cycle' | 'schema-access' | 'schema-import' | 'raw-sql';

export interface TableInfo {
  /** the exported name in the schema file (what `schema.<name>` uses) */
  exportName: string;
  /** the table's name in SQL */
  sqlName: string;
  /** the owning module */
  module: string;
  /** the schema file, relative to the root */
  file: string;
}

export interface Violation {
  file: string;
  kind: ViolationKind;
  detail: string;
  /** occurrences in the file */
  count: number;
  /** the unit the file belongs to, and the module whose table it uses (or the cycle's units) */
  from: string;
  to: string;
  /** where (1-based lines; for a cycle, the importing files of each edge) */
  where: string[];
}

export interface ImportEdge {
  from: string;
  to: string;
  file: string;
  line: number;
  specifier: string;
  typeOnly: boolean;
}

export interface WallsReport {
  tables: TableInfo[];
  units: string[];
  edges: ImportEdge[];
  /** elementary cycles, each as units [a, b, ..., a], starting at its smallest unit */
  cycles: string[][];
  violations: Violation[];
  filesScanned: number;
}

export interface DebtEntry {
  file: string;
  kind: ViolationKind;
  detail: string;
  count: number;
}

export interface DebtFile {
  note?: string;
  entries: DebtEntry[];
}

const SOURCE_EXT = /\.(ts|mts|cts|tsx|js|mjs|cjs)$/;
const posix = (p: string) => p.split(path.sep).join('/');

function walk(dir: string, out: string[] = []): string[] {
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules') walk(p, out);
    } else if (SOURCE_EXT.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out.sort();
}

function parse(file: string): ts.SourceFile {
  const text = fs.readFileSync(file, 'utf8');
  const kind = /\.(tsx)$/.test(file) ? ts.ScriptKind.TSX : /\.(m|c)?js$/.test(file) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  return ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
}

/** The table → owning module map, from each src/db/schema/<module>.ts's exported pgTable(...) constants. */
export function loadTables(root: string, owners: Readonly<Record<string, string>> = SCHEMA_FILE_OWNERS): TableInfo[] {
  const dir = path.join(root, 'src/db/schema');
  const tables: TableInfo[] = [];
  for (const file of walk(dir)) {
    if (path.dirname(file) !== dir) continue;
    const base = path.basename(file).replace(SOURCE_EXT, '');
    if (base === 'index') continue;
    const module = owners[base] ?? base;
    const sf = parse(file);
    for (const st of sf.statements) {
      if (!ts.isVariableStatement(st) || !st.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
      for (const d of st.declarationList.declarations) {
        const init = d.initializer;
        if (!ts.isIdentifier(d.name) || !init || !ts.isCallExpression(init)) continue;
        const callee = init.expression;
        const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
        if (name !== 'pgTable') continue;
        const first = init.arguments[0];
        if (!first || !(ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first))) continue;
        tables.push({ exportName: d.name.text, sqlName: first.text, module, file: posix(path.relative(root, file)) });
      }
    }
  }
  return tables;
}

/** The unit a file belongs to: the module (first folder under src/modules), `flows` or `app`; null for anything else. */
export function unitOf(rel: string): string | null {
  const parts = rel.split('/');
  if (parts[0] !== 'src') return null;
  if (parts[1] === 'modules') return parts.length > 3 ? parts[2] : null;
  if (parts[1] === 'flows' || parts[1] === 'app') return parts[1];
  return null;
}

const SQL_TABLE_RE = /\b(from|join|into|update)\s+(?:only\s+)?(?:"?public"?\s*\.\s*)?"?([a-z_][a-z0-9_]*)"?/gi;
const SQL_VERB_RE = /\b(select|insert|update|delete|with)\b/i;

/** The tables a piece of SQL text names after from/join/into/update. */
export function sqlTablesIn(text: string, known: ReadonlyMap<string, TableInfo>): TableInfo[] {
  const out: TableInfo[] = [];
  for (const m of text.matchAll(SQL_TABLE_RE)) {
    const t = known.get(m[2].toLowerCase());
    if (t) out.push(t);
  }
  return out;
}

function isSqlTag(tag: ts.Expression): boolean {
  if (ts.isIdentifier(tag)) return tag.text === 'sql';
  if (ts.isPropertyAccessExpression(tag)) return tag.name.text === 'sql';
  return false;
}

function templateText(t: ts.TemplateLiteral): string {
  if (ts.isNoSubstitutionTemplateLiteral(t)) return t.text;
  return t.head.text + t.templateSpans.map((s) => ` $? ${s.literal.text}`).join('');
}

export function checkWalls(opts: { root: string; owners?: Readonly<Record<string, string>>; dirs?: string[] }): WallsReport {
  const root = path.resolve(opts.root);
  const tables = loadTables(root, opts.owners);
  const byExport = new Map(tables.map((t) => [t.exportName, t]));
  const bySql = new Map(tables.map((t) => [t.sqlName, t]));
  const schemaFiles = new Map<string, TableInfo[]>();
  for (const t of tables) schemaFiles.set(t.file.replace(SOURCE_EXT, ''), [...(schemaFiles.get(t.file.replace(SOURCE_EXT, '')) ?? []), t]);

  const files = (opts.dirs ?? SCANNED_DIRS).flatMap((d) => walk(path.join(root, d)));
  const edges: ImportEdge[] = [];
  const units = new Set<string>();
  const found = new Map<string, Violation>();
  const add = (file: string, kind: ViolationKind, detail: string, from: string, to: string, where: string) => {
    const key = `${file}\u0000${kind}\u0000${detail}`;
    const v = found.get(key);
    if (v) {
      v.count++;
      v.where.push(where);
    } else found.set(key, { file, kind, detail, count: 1, from, to, where: [where] });
  };

  for (const abs of files) {
    const rel = posix(path.relative(root, abs));
    const unit = unitOf(rel);
    if (!unit) continue;
    units.add(unit);
    const sf = parse(abs);
    const lineOf = (n: ts.Node) => sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
    /** local names bound to a namespace of tables (all, or one schema file's) */
    const namespaces = new Map<string, ReadonlyMap<string, TableInfo>>();

    const resolve = (spec: string): string | null => {
      if (!spec.startsWith('.')) return null;
      return posix(path.relative(root, path.resolve(path.dirname(abs), spec)));
    };
    const tableUse = (t: TableInfo, kind: ViolationKind, detail: string, n: ts.Node) => {
      if (t.module !== unit) add(rel, kind, detail, unit, t.module, `${rel}:${lineOf(n)}`);
    };
    const onImport = (spec: string, n: ts.Node, typeOnly: boolean, clause?: ts.ImportClause) => {
      const target = resolve(spec);
      if (target === null) return;
      const targetUnit = unitOf(target);
      if (targetUnit && targetUnit !== unit) edges.push({ from: unit, to: targetUnit, file: rel, line: lineOf(n), specifier: spec, typeOnly });
      const noExt = target.replace(SOURCE_EXT, '');
      const bindings = clause?.namedBindings;
      if (noExt === 'src/db/client' && bindings && ts.isNamedImports(bindings)) {
        for (const el of bindings.elements) if ((el.propertyName ?? el.name).text === 'schema') namespaces.set(el.name.text, byExport);
      } else if (noExt === 'src/db/schema/index' || noExt === 'src/db/schema') {
        if (bindings && ts.isNamespaceImport(bindings)) namespaces.set(bindings.name.text, byExport);
        else if (bindings) {
          for (const el of bindings.elements) {
            const t = byExport.get((el.propertyName ?? el.name).text);
            if (t) tableUse(t, 'schema-import', `${t.exportName} (${t.module}) from db/schema/index`, el);
          }
        }
      } else if (noExt.startsWith('src/db/schema/')) {
        const own = schemaFiles.get(noExt) ?? [];
        const owner = own[0]?.module ?? SCHEMA_FILE_OWNERS[path.basename(noExt)] ?? path.basename(noExt);
        if (owner === unit) return;
        if (bindings && ts.isNamedImports(bindings)) {
          for (const el of bindings.elements) {
            const name = (el.propertyName ?? el.name).text;
            const t = byExport.get(name);
            add(rel, 'schema-import', `${name} (${t?.module ?? owner}) from ${noExt.slice(4)}`, unit, t?.module ?? owner, `${rel}:${lineOf(el)}`);
          }
        } else {
          add(rel, 'schema-import', `${noExt.slice(4)} (${owner})`, unit, owner, `${rel}:${lineOf(n)}`);
          if (bindings && ts.isNamespaceImport(bindings)) namespaces.set(bindings.name.text, new Map(own.map((t) => [t.exportName, t])));
        }
      }
    };

    // imports first, so that namespace bindings are known before their uses
    for (const st of sf.statements) {
      if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
        onImport(st.moduleSpecifier.text, st, !!st.importClause?.isTypeOnly, st.importClause);
      } else if (ts.isExportDeclaration(st) && st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier)) {
        onImport(st.moduleSpecifier.text, st, st.isTypeOnly);
      }
    }

    const sqlText = (text: string, n: ts.Node) => {
      for (const t of sqlTablesIn(text, bySql)) tableUse(t, 'raw-sql', `${t.sqlName} (${t.module})`, n);
    };
    const visit = (n: ts.Node) => {
      if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword) {
        const a = n.arguments[0];
        if (a && ts.isStringLiteralLike(a)) onImport(a.text, n, false);
      } else if (ts.isImportTypeNode(n)) {
        const arg = n.argument;
        if (ts.isLiteralTypeNode(arg) && ts.isStringLiteral(arg.literal)) onImport(arg.literal.text, n, true);
      } else if (ts.isPropertyAccessExpression(n) && ts.isIdentifier(n.expression)) {
        const t = namespaces.get(n.expression.text)?.get(n.name.text);
        if (t) tableUse(t, 'schema-access', `schema.${t.exportName} (${t.module})`, n);
      } else if (ts.isQualifiedName(n) && ts.isIdentifier(n.left)) {
        const t = namespaces.get(n.left.text)?.get(n.right.text);
        if (t) tableUse(t, 'schema-access', `schema.${t.exportName} (${t.module})`, n);
      } else if (ts.isVariableDeclaration(n) && ts.isObjectBindingPattern(n.name) && n.initializer && ts.isIdentifier(n.initializer)) {
        const ns = namespaces.get(n.initializer.text);
        if (ns) {
          for (const el of n.name.elements) {
            const key = el.propertyName ?? el.name;
            const t = ts.isIdentifier(key) ? ns.get(key.text) : undefined;
            if (t) tableUse(t, 'schema-access', `schema.${t.exportName} (${t.module})`, el);
          }
        }
      } else if (ts.isTaggedTemplateExpression(n)) {
        const text = templateText(n.template);
        if (isSqlTag(n.tag) || SQL_VERB_RE.test(text)) sqlText(text, n);
        // the template's own text is checked here; its substitutions are visited below
        if (ts.isTemplateExpression(n.template)) for (const s of n.template.templateSpans) visit(s.expression);
        visit(n.tag);
        return;
      } else if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) {
        if (SQL_VERB_RE.test(n.text) || isSqlRawArg(n)) sqlText(n.text, n);
      } else if (ts.isTemplateExpression(n)) {
        const text = templateText(n);
        if (SQL_VERB_RE.test(text) || isSqlRawArg(n)) sqlText(text, n);
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }

  const cycles = findCycles(edges);
  for (const c of cycles) {
    const where = c.slice(0, -1).map((u, i) => {
      const es = edges.filter((e) => e.from === u && e.to === c[i + 1]);
      const first = es[0];
      return `${u} -> ${c[i + 1]}: ${first.file}:${first.line}${es.length > 1 ? ` (+${es.length - 1} more)` : ''}`;
    });
    const key = `src/modules\u0000cycle\u0000${c.join(' -> ')}`;
    found.set(key, { file: 'src/modules', kind: 'cycle', detail: c.join(' -> '), count: 1, from: c[0], to: c[1], where });
  }

  const violations = [...found.values()].sort(byKey);
  return { tables, units: [...units].sort(), edges, cycles, violations, filesScanned: files.length };
}

function isSqlRawArg(n: ts.Node): boolean {
  const p = n.parent;
  return !!p && ts.isCallExpression(p) && ts.isPropertyAccessExpression(p.expression) && p.expression.name.text === 'raw' && ts.isIdentifier(p.expression.expression) && p.expression.expression.text === 'sql';
}

const byKey = (a: { file: string; kind: string; detail: string }, b: { file: string; kind: string; detail: string }) =>
  a.file.localeCompare(b.file) || a.kind.localeCompare(b.kind) || a.detail.localeCompare(b.detail);

/** Elementary cycles of the unit graph, each starting (and ending) at its smallest unit, in a stable order. */
export function findCycles(edges: readonly Pick<ImportEdge, 'from' | 'to'>[], max = 10_000): string[][] {
  const adj = new Map<string, Set<string>>();
  for (const e of edges) {
    if (e.from === e.to) continue;
    if (!adj.has(e.from)) adj.set(e.from, new Set());
    adj.get(e.from)!.add(e.to);
  }
  const nodes = [...new Set(edges.flatMap((e) => [e.from, e.to]))].sort();
  const cycles: string[][] = [];
  for (const start of nodes) {
    const path: string[] = [start];
    const onPath = new Set([start]);
    const dfs = (u: string) => {
      if (cycles.length >= max) return;
      for (const v of [...(adj.get(u) ?? [])].sort()) {
        if (v === start) cycles.push([...path, start]);
        else if (v > start && !onPath.has(v)) {
          path.push(v);
          onPath.add(v);
          dfs(v);
          path.pop();
          onPath.delete(v);
        }
      }
    };
    dfs(start);
  }
  return cycles;
}

export interface DebtComparison {
  /** violations not in the debt list, or more occurrences than it records */
  fresh: { violation: Violation; recorded: number }[];
  /** debt entries that no longer occur as recorded (gone, or fewer occurrences) */
  stale: { entry: DebtEntry; actual: number }[];
}

export function compareWithDebt(violations: readonly Violation[], debt: DebtFile): DebtComparison {
  const key = (x: { file: string; kind: string; detail: string }) => `${x.file}\u0000${x.kind}\u0000${x.detail}`;
  const recorded = new Map(debt.entries.map((e) => [key(e), e]));
  const actual = new Map(violations.map((v) => [key(v), v]));
  const fresh: DebtComparison['fresh'] = [];
  const stale: DebtComparison['stale'] = [];
  for (const v of violations) {
    const r = recorded.get(key(v));
    if (!r || v.count > r.count) fresh.push({ violation: v, recorded: r?.count ?? 0 });
  }
  for (const e of debt.entries) {
    const v = actual.get(key(e));
    if (!v || v.count < e.count) stale.push({ entry: e, actual: v?.count ?? 0 });
  }
  return { fresh, stale };
}

export function toDebt(violations: readonly Violation[]): DebtFile {
  return {
    note:
      'Known violations of the module walls (scripts/check-walls.ts). CI fails on a violation not listed here and on an entry that no longer occurs as listed: fix, then regenerate with `npm run check:walls -- --write-debt`. Never add entries by hand to let new violations through.',
    entries: violations.map((v) => ({ file: v.file, kind: v.kind, detail: v.detail, count: v.count })).sort(byKey),
  };
}

export function readDebt(file: string): DebtFile {
  if (!fs.existsSync(file)) return { entries: [] };
  const d = JSON.parse(fs.readFileSync(file, 'utf8')) as DebtFile;
  return { note: d.note, entries: d.entries ?? [] };
}

/** The summary: N cycles, N cross-module table uses, by module pair. */
export function summarize(report: WallsReport): string {
  const lines: string[] = [];
  const uses = report.violations.filter((v) => v.kind !== 'cycle');
  const occurrences = uses.reduce((s, v) => s + v.count, 0);
  lines.push(
    `walls: ${report.filesScanned} files, ${report.units.length} units (${report.units.join(', ')}), ${report.tables.length} tables; ` +
      `${report.cycles.length} cycle${report.cycles.length === 1 ? '' : 's'}, ${occurrences} cross-module table use${occurrences === 1 ? '' : 's'} (${uses.length} file/table entries)`,
  );
  for (const c of report.cycles) lines.push(`  cycle ${c.join(' -> ')}`);
  const pairs = new Map<string, Record<string, number>>();
  for (const v of uses) {
    const k = `${v.from} -> ${v.to}`;
    const r = pairs.get(k) ?? {};
    r[v.kind] = (r[v.kind] ?? 0) + v.count;
    pairs.set(k, r);
  }
  for (const [k, r] of [...pairs].sort(([a], [b]) => a.localeCompare(b))) {
    const total = Object.values(r).reduce((s, n) => s + n, 0);
    lines.push(`  ${k} (uses ${k.split(' -> ')[1]}'s tables): ${total} (${Object.entries(r).map(([kind, n]) => `${kind} ${n}`).join(', ')})`);
  }
  return lines.join('\n');
}

function describeViolation(v: Violation): string {
  return `${v.file}: ${v.kind} ${v.detail} ×${v.count}\n      ${v.where.slice(0, 5).join('\n      ')}${v.where.length > 5 ? `\n      … ${v.where.length - 5} more` : ''}`;
}

export function main(argv: string[]): number {
  const args = new Set(argv.filter((a) => a.startsWith('--')));
  const opt = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const here = path.dirname(fileURLToPath(import.meta.url));
  const root = path.resolve(opt('--root') ?? path.join(here, '..'));
  const debtFile = path.resolve(opt('--debt') ?? path.join(root, 'scripts/walls-debt.json'));
  const report = checkWalls({ root });
  if (args.has('--tables')) for (const t of report.tables) console.log(`  ${t.sqlName} (${t.exportName}) -> ${t.module}   [${t.file}]`);
  console.log(summarize(report));

  if (args.has('--write-debt')) {
    const before = readDebt(debtFile);
    const cmp = compareWithDebt(report.violations, before);
    fs.writeFileSync(debtFile, JSON.stringify(toDebt(report.violations), null, 2) + '\n');
    console.log(`walls: wrote ${report.violations.length} entries to ${posix(path.relative(root, debtFile))} (${cmp.fresh.length} new or grown, ${cmp.stale.length} gone or shrunk)`);
    return 0;
  }
  if (args.has('--verbose')) for (const v of report.violations) console.log(`  ${describeViolation(v)}`);

  const cmp = compareWithDebt(report.violations, readDebt(debtFile));
  if (cmp.fresh.length) {
    console.log(`\nwalls: ${cmp.fresh.length} violation(s) not in ${posix(path.relative(root, debtFile))}: a module may use only its own tables (call the owner's service) and modules may not import each other in a cycle`);
    for (const f of cmp.fresh) console.log(`  NEW ${describeViolation(f.violation)}${f.recorded ? `\n      (recorded: ${f.recorded})` : ''}`);
  }
  if (cmp.stale.length) {
    console.log(`\nwalls: ${cmp.stale.length} debt entr${cmp.stale.length === 1 ? 'y' : 'ies'} no longer occur as recorded (good: the debt shrank); regenerate the list with \`npm run check:walls -- --write-debt\``);
    for (const s of cmp.stale) console.log(`  GONE ${s.entry.file}: ${s.entry.kind} ${s.entry.detail} (recorded ${s.entry.count}, now ${s.actual})`);
  }
  if (cmp.fresh.length || cmp.stale.length) return 1;
  console.log(`walls: ok (${report.violations.length} known violations recorded in ${posix(path.relative(root, debtFile))}, none new)`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
