// Marlin G-code from a sliced model: absolute extrusion, retraction on longer travels, per-layer markers, and a header
// with the statistics of our own simulator. Extrusion amounts use the rounded-rectangle bead cross-section
// ((w − h)·h + π(h/2)²), as Slic3r and PrusaSlicer do.
import type { PrinterProfile, SliceSettings } from './printer-profile.js';
import type { PathRole, SliceResult } from './slice.js';
import { MotionLog } from './simulate.js';

// The numbers as printed: the motion log is fed these exact values, so its estimate is that of the text.
const r3 = (v: number) => Math.round(v * 1000) / 1000;
const r5 = (v: number) => Math.round(v * 100000) / 100000;
const f3 = (v: number) => r3(v).toString();
const f5 = (v: number) => r5(v).toString();

function speedOf(role: PathRole, layer: number, s: SliceSettings, loopLength: number): number {
  if (layer === 0) return s.speeds.firstLayerMmS;
  const small = loopLength < 2 * Math.PI * 6.5;
  switch (role) {
    case 'external-perimeter':
      return small ? Math.min(s.speeds.smallPerimeterMmS, s.speeds.externalPerimeterMmS) : s.speeds.externalPerimeterMmS;
    case 'perimeter':
      return small ? s.speeds.smallPerimeterMmS : s.speeds.perimeterMmS;
    case 'skirt':
      return s.speeds.perimeterMmS;
    case 'top-solid-infill':
      return s.speeds.topSolidInfillMmS;
    case 'solid-infill':
      return s.speeds.solidInfillMmS;
    case 'infill':
      return s.speeds.infillMmS;
  }
}

export interface GcodeResult {
  gcode: string;
  layerCount: number;
  filamentMm: number;
  filamentGrams: number;
  estimatedSeconds: number;
}

export function toGcode(result: SliceResult, profile: PrinterProfile, s: SliceSettings): GcodeResult {
  // Lines are joined a layer at a time, so only flat per-layer strings outlive their layer (lower peak memory).
  const chunks: string[] = [];
  let body: string[] = [];
  const filamentArea = Math.PI * (profile.filamentDiameter / 2) ** 2;
  const w = result.extrusionWidth;
  const firstLayerWidth = Math.max(profile.nozzleDiameter, 2 * s.firstLayerHeight);
  let e = 0;
  let x = 0;
  let y = 0;
  let z = 0;
  const L = profile.limits;
  const r = profile.retraction;
  const travelF = Math.min(s.speeds.travelMmS, L.maxFeedMmS) * 60;
  const retractF = Math.round(r.speedMmS * 60);
  const zF = Math.round(L.maxZFeedMmS * 60);
  // Our simulator, fed each motion line as it is written (G28 and G92 E0 leave it at its all-zero start).
  let moveCount = 0;
  for (const layer of result.layers) for (const p of layer.paths) moveCount += p.points.length / 2 + 3;
  const log = new MotionLog(L, moveCount + 64);

  body.push(
    'M201 X' + L.accelMmS2 + ' Y' + L.accelMmS2 + ' ; max acceleration',
    'M203 X' + L.maxFeedMmS + ' Y' + L.maxFeedMmS + ' Z' + L.maxZFeedMmS + ' E' + L.maxEFeedMmS + ' ; max feedrates',
    `M204 P${L.accelMmS2} R${L.retractAccelMmS2} T${L.travelAccelMmS2}`,
    `M205 X${L.jerkMmS} Y${L.jerkMmS}`,
    'M107 ; fan off',
    `M140 S${s.bedTempC} ; bed`,
    `M104 S${s.firstLayerNozzleTempC} ; nozzle`,
    'G28 ; home all axes',
    `M190 S${s.bedTempC} ; wait for the bed`,
    `M109 S${s.firstLayerNozzleTempC} ; wait for the nozzle`,
    'G21 ; millimetres',
    'G90 ; absolute positions',
    'M82 ; absolute extrusion',
    'G92 E0',
  );

  for (const layer of result.layers) {
    chunks.push(body.join('\n'));
    body = [];
    const h = layer.height;
    const width = layer.index === 0 ? firstLayerWidth : w;
    const perMm = ((width - h) * h + Math.PI * (h / 2) ** 2) / filamentArea;
    body.push(`;LAYER:${layer.index}`, `;Z:${f3(layer.z)}`);
    log.markLayer(layer.index);
    if (layer.index === 1) {
      body.push(`M104 S${s.nozzleTempC}`);
      if (s.fanPercent > 0) body.push(`M106 S${Math.round((s.fanPercent / 100) * 255)}`);
    }
    z = layer.z;
    body.push(`G1 Z${f3(z)} F${zF}`);
    log.feed = zF / 60;
    log.moveTo(log.x, log.y, r3(z), log.e);
    for (const path of layer.paths) {
      const n = path.points.length / 2;
      const sx = path.points[0]!;
      const sy = path.points[1]!;
      const travel = Math.hypot(sx - x, sy - y);
      if (travel > 1e-6) {
        const retract = path.retract !== false && travel > r.minTravelMm && r.lengthMm > 0;
        if (retract) {
          body.push(`G1 E${f5(e - r.lengthMm)} F${retractF}`);
          log.feed = retractF / 60;
          log.moveTo(log.x, log.y, log.z, r5(e - r.lengthMm));
        }
        body.push(`G0 X${f3(sx)} Y${f3(sy)} F${travelF}`);
        log.feed = travelF / 60;
        log.moveTo(r3(sx), r3(sy), log.z, log.e);
        if (retract) {
          body.push(`G1 E${f5(e)} F${retractF}`);
          log.feed = retractF / 60;
          log.moveTo(log.x, log.y, log.z, r5(e));
        }
      }
      x = sx;
      y = sy;
      let loopLength = 0;
      if (path.closed) for (let k = 0; k < n; k++) loopLength += Math.hypot(path.points[((k + 1) % n) * 2]! - path.points[k * 2]!, path.points[((k + 1) % n) * 2 + 1]! - path.points[k * 2 + 1]!);
      const f = Math.round(Math.min(speedOf(path.role, layer.index, s, path.closed ? loopLength : Infinity), L.maxFeedMmS) * 60);
      body.push(`;TYPE:${path.role}`);
      log.type = path.role;
      let first = true;
      const steps = path.closed ? n : n - 1;
      for (let k = 1; k <= steps; k++) {
        const i = k % n;
        const px = path.points[i * 2]!;
        const py = path.points[i * 2 + 1]!;
        const len = Math.hypot(px - x, py - y);
        if (len < 1e-4) continue;
        e += len * perMm;
        if (first) {
          body.push(`G1 X${f3(px)} Y${f3(py)} E${f5(e)} F${f}`);
          log.feed = f / 60;
          first = false;
        } else body.push(`G1 X${f3(px)} Y${f3(py)} E${f5(e)}`);
        log.moveTo(r3(px), r3(py), log.z, r5(e));
        x = px;
        y = py;
      }
    }
  }
  const parkZ = Math.min(profile.maxZ, z + 10);
  body.push(
    ';END',
    `G1 E${f5(e - r.lengthMm)} F${retractF} ; retract`,
    'M104 S0 ; nozzle off',
    'M140 S0 ; bed off',
    'M107 ; fan off',
    `G1 Z${f3(parkZ)} F${zF}`,
    `G0 X0 Y${f3(profile.bed.y)} F${travelF}`,
    'M84 ; motors off',
  );
  log.feed = retractF / 60;
  log.moveTo(log.x, log.y, log.z, r5(e - r.lengthMm));
  log.feed = zF / 60;
  log.moveTo(log.x, log.y, r3(parkZ), log.e);
  log.feed = travelF / 60;
  log.moveTo(0, r3(profile.bed.y), log.z, log.e);

  chunks.push(body.join('\n'));
  const text = chunks.join('\n') + '\n';
  const sim = log.finish();
  const grams = (sim.filamentMm * filamentArea * s.filamentDensity) / 1000;
  const header = [
    '; generated by the DPM slicer',
    `; layer_count = ${result.layers.length}`,
    `; filament_used_mm = ${sim.filamentMm.toFixed(2)}`,
    `; filament_used_g = ${grams.toFixed(2)}`,
    `; estimated_printing_time_s = ${Math.round(sim.seconds)}`,
    `; layer_height = ${s.layerHeight}, first_layer_height = ${s.firstLayerHeight}, perimeters = ${s.perimeters}, top/bottom = ${s.topLayers}/${s.bottomLayers}`,
    `; infill = ${Math.round(s.infillDensity * 100)}% ${s.infillPattern}, extrusion_width = ${f3(w)}, nozzle = ${profile.nozzleDiameter}, filament = ${profile.filamentDiameter}`,
    `; bounds = ${result.bounds.min.map(f3).join(',')} .. ${result.bounds.max.map(f3).join(',')}`,
  ];
  return { gcode: header.join('\n') + '\n' + text, layerCount: result.layers.length, filamentMm: sim.filamentMm, filamentGrams: grams, estimatedSeconds: sim.seconds };
}
