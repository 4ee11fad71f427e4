// What a printer is (its profile, from the operator) and how to slice for it (the settings, from the job). Defaults
// are those of a common 220×220 Marlin printer with a 0.4 mm nozzle, and match the reference PrusaSlicer runs.
import { z } from 'zod';

export const PrinterProfile = z.strictObject({
  bed: z.strictObject({ x: z.number().positive().max(2000).default(220), y: z.number().positive().max(2000).default(220) }).default({ x: 220, y: 220 }),
  maxZ: z.number().positive().max(2000).default(250),
  nozzleDiameter: z.number().min(0.1).max(2).default(0.4),
  filamentDiameter: z.number().min(1).max(3.5).default(1.75),
  flavour: z.literal('marlin').default('marlin'),
  /** Motion limits used by the time estimate (Marlin's M201/M203/M204/M205). */
  limits: z
    .strictObject({
      maxFeedMmS: z.number().positive().default(200),
      maxZFeedMmS: z.number().positive().default(12),
      maxEFeedMmS: z.number().positive().default(120),
      accelMmS2: z.number().positive().default(1500),
      travelAccelMmS2: z.number().positive().default(1250),
      retractAccelMmS2: z.number().positive().default(1250),
      jerkMmS: z.number().positive().default(10),
    })
    .default({ maxFeedMmS: 200, maxZFeedMmS: 12, maxEFeedMmS: 120, accelMmS2: 1500, travelAccelMmS2: 1250, retractAccelMmS2: 1250, jerkMmS: 10 }),
  retraction: z.strictObject({ lengthMm: z.number().min(0).max(20).default(2), speedMmS: z.number().positive().default(40), minTravelMm: z.number().min(0).default(2) }).default({ lengthMm: 2, speedMmS: 40, minTravelMm: 2 }),
});
export type PrinterProfile = z.infer<typeof PrinterProfile>;

export const SliceSettings = z.strictObject({
  layerHeight: z.number().min(0.05).max(1).default(0.2),
  firstLayerHeight: z.number().min(0.05).max(1).default(0.2),
  perimeters: z.number().int().min(1).max(10).default(2),
  topLayers: z.number().int().min(0).max(50).default(4),
  bottomLayers: z.number().int().min(0).max(50).default(3),
  infillDensity: z.number().min(0).max(1).default(0.2),
  infillPattern: z.enum(['rectilinear', 'grid']).default('grid'),
  /** Extrusion width as a multiple of the nozzle diameter (PrusaSlicer's automatic width is about 1.125). */
  extrusionWidthFactor: z.number().min(0.8).max(2).default(1.125),
  /** Sparse infill regions smaller than this (mm²) are filled solid: a few sparse lines would not hold anything. */
  solidInfillBelowAreaMm2: z.number().min(0).default(70),
  skirtLoops: z.number().int().min(0).max(10).default(1),
  skirtDistanceMm: z.number().min(0).max(50).default(6),
  speeds: z
    .strictObject({
      perimeterMmS: z.number().positive().default(60),
      externalPerimeterMmS: z.number().positive().default(30),
      /** Loops shorter than about 40 mm (holes, small features) go slowly, so they cool and hold their shape. */
      smallPerimeterMmS: z.number().positive().default(15),
      infillMmS: z.number().positive().default(80),
      solidInfillMmS: z.number().positive().default(20),
      topSolidInfillMmS: z.number().positive().default(15),
      travelMmS: z.number().positive().default(130),
      firstLayerMmS: z.number().positive().default(30),
    })
    .default({ perimeterMmS: 60, externalPerimeterMmS: 30, smallPerimeterMmS: 15, infillMmS: 80, solidInfillMmS: 20, topSolidInfillMmS: 15, travelMmS: 130, firstLayerMmS: 30 }),
  nozzleTempC: z.number().min(150).max(320).default(210),
  firstLayerNozzleTempC: z.number().min(150).max(320).default(215),
  bedTempC: z.number().min(0).max(130).default(60),
  fanPercent: z.number().min(0).max(100).default(100),
  /** Material density, g/cm³, for the weight in the G-code header. */
  filamentDensity: z.number().positive().default(1.24),
});
export type SliceSettings = z.infer<typeof SliceSettings>;

export const defaultProfile: PrinterProfile = PrinterProfile.parse({});
export const defaultSettings: SliceSettings = SliceSettings.parse({});
