import { z } from 'zod';
import { loadYamlFile } from './yaml-file.js';

const placeSchema = z.strictObject({ name: z.string().min(1), district: z.string().min(1) });

export const referenceSchema = z.strictObject({
  city: z.string().min(1),
  hotline: z.string().min(1),
  districts: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        short: z.string().min(1),
        stations: z.array(z.string().min(1)).min(1),
        streets: z.array(z.string().min(1)).min(1),
      }),
    )
    .min(1),
  universities: z.array(placeSchema),
  malls: z.array(placeSchema),
});

/** Districts, police stations and places of the city Zhimi serves (content/reference/*.yaml). */
export type ReferenceData = z.output<typeof referenceSchema>;
export type District = ReferenceData['districts'][number];

export function loadReferenceData(file: string): ReferenceData {
  return loadYamlFile(file, referenceSchema);
}
