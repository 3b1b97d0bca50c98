/**
 * Route geometry and the time plan of a transit: distances (haversine over the offices'
 * coordinates times a road factor), the time limit, and when each checkpoint is expected.
 * Pure: reference data in, numbers out.
 */
import type { Office, ReferenceData } from '../../reference/types.ts';
import type { Thresholds } from './thresholds.ts';

const EARTH_KM = 6371.0088;

export function haversineKm(aLat: number, aLon: number, bLat: number, bLon: number): number {
  const r = Math.PI / 180;
  const dLat = (bLat - aLat) * r;
  const dLon = (bLon - aLon) * r;
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(aLat * r) * Math.cos(bLat * r) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_KM * Math.asin(Math.min(1, Math.sqrt(s)));
}

/** An office's coordinates: its own, else its UN/LOCODE entry's. */
export function officePosition(ref: ReferenceData, code: string): { lat: number; lon: number } | undefined {
  const o = ref.office(code);
  if (o?.lat !== undefined && o.lon !== undefined) return { lat: o.lat, lon: o.lon };
  const l = ref.locode(code);
  if (l?.lat !== undefined && l.lon !== undefined) return { lat: l.lat, lon: l.lon };
  return undefined;
}

export interface PlanPoint {
  office: string;
  country: string;
  kind: Office['kind'];
  lat: number;
  lon: number;
  /** the crossing a border post serves */
  crossing?: string;
  neighbour?: string;
  /** road kilometres from the office of departure */
  cumKm: number;
  /** number of land borders crossed before reaching this point */
  bordersBefore: number;
  /** when the movement is expected here at the latest (epoch ms) */
  expectedAt: number;
}

export interface RoutePlan {
  points: PlanPoint[];
  distanceKm: number;
  borders: number;
  timeLimit: number;
}

/** Hours allowed for a transit of `km` road kilometres with `borders` land borders, by mode. */
export function allowedHours(km: number, borders: number, mode: number, t: Thresholds): number {
  const speed = mode === 1 ? t.limitSpeedKmh.maritime : mode === 2 ? t.limitSpeedKmh.rail : t.limitSpeedKmh.road;
  return t.baseHours + km / speed + borders * t.borderAllowanceHours;
}

/**
 * The plan of a route [departure, ...checkpoints, destination]: cumulative road distance, borders
 * crossed, and the latest expected time at each point; the last point's is the time limit.
 * Offices must exist and have coordinates (the contract checks it first).
 */
export function planRoute(ref: ReferenceData, offices: string[], departureAt: number, mode: number, t: Thresholds): RoutePlan {
  const points: PlanPoint[] = [];
  let cumKm = 0;
  let borders = 0;
  for (let i = 0; i < offices.length; i++) {
    const o = ref.office(offices[i]);
    const p = officePosition(ref, offices[i]);
    if (!o || !p) throw new Error(`office ${offices[i]} is unknown or has no coordinates`);
    if (i > 0) {
      const prev = points[i - 1];
      cumKm += haversineKm(prev.lat, prev.lon, p.lat, p.lon) * t.roadFactor;
      if (prev.country !== o.country) borders += 1;
    }
    points.push({
      office: o.code,
      country: o.country,
      kind: o.kind,
      lat: p.lat,
      lon: p.lon,
      ...(o.crossing ? { crossing: o.crossing.name, neighbour: o.crossing.neighbour } : {}),
      cumKm,
      bordersBefore: borders,
      expectedAt: 0,
    });
  }
  for (const p of points) p.expectedAt = departureAt + allowedHours(p.cumKm, p.bordersBefore, mode, t) * 3_600_000;
  return { points, distanceKm: cumKm, borders, timeLimit: points[points.length - 1].expectedAt };
}

/** The administrations a route concerns, by their role in it. */
export function concernedCountries(points: { country: string }[]): { departure: string; transit: string[]; destination: string; all: string[] } {
  const departure = points[0].country;
  const destination = points[points.length - 1].country;
  const transit: string[] = [];
  for (const p of points) if (p.country !== departure && p.country !== destination && !transit.includes(p.country)) transit.push(p.country);
  const all = [departure, ...transit];
  if (!all.includes(destination)) all.push(destination);
  return { departure, transit, destination, all };
}
