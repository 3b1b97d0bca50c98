import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { feature } from 'topojson-client';
import { defineConfig, type Plugin } from 'vite';

const require = createRequire(import.meta.url);

/** ISO 3166-1 numeric (world-atlas ids) → alpha-2: the region, its neighbours and the Caribbean around it. */
const REGION: Record<string, string> = {
  '320': 'GT', '222': 'SV', '340': 'HN', '558': 'NI', '188': 'CR', '591': 'PA', '214': 'DO',
  '484': 'MX', '084': 'BZ', '332': 'HT', '192': 'CU', '388': 'JM', '170': 'CO', '630': 'PR', '862': 'VE', '044': 'BS',
};

/**
 * `virtual:region-geo`: the region's countries as GeoJSON, cut at build time from world-atlas
 * (Natural Earth 1:50m) so that the map is drawn offline and the bundle carries only what it shows.
 */
function regionGeo(): Plugin {
  const id = 'virtual:region-geo';
  return {
    name: 'centinela-region-geo',
    resolveId: (s) => (s === id ? `\0${id}` : undefined),
    load(s) {
      if (s !== `\0${id}`) return undefined;
      const topo = JSON.parse(readFileSync(require.resolve('world-atlas/countries-50m.json'), 'utf8'));
      const all = feature(topo, topo.objects.countries) as unknown as GeoJSON.FeatureCollection;
      const round = (c: unknown): unknown => (Array.isArray(c) ? (typeof c[0] === 'number' ? c.map((n: number) => Math.round(n * 1000) / 1000) : c.map(round)) : c);
      const features = all.features
        .filter((f) => REGION[String(f.id)])
        .map((f) => ({ type: 'Feature', id: REGION[String(f.id)], properties: { name: REGION[String(f.id)] }, geometry: { ...f.geometry, coordinates: round((f.geometry as GeoJSON.Polygon).coordinates) } }));
      return `export default ${JSON.stringify({ type: 'FeatureCollection', features })};`;
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react(), regionGeo()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1200,
    rolldownOptions: {
      output: {
        codeSplitting: { groups: [{ name: 'echarts', test: /node_modules[\\/](echarts|zrender)/ }, { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ }] },
      },
    },
  },
  server: { proxy: { '/api': 'http://localhost:8080' } },
});
