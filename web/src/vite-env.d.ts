/// <reference types="vite/client" />

declare module 'virtual:region-geo' {
  const geo: GeoJSON.FeatureCollection<GeoJSON.Polygon | GeoJSON.MultiPolygon, { name: string }>;
  export default geo;
}
