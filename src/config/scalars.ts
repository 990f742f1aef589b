import { z } from 'zod';

/** A boolean as YAML writes it or as an environment variable spells it (`true/1/false/0`). */
export const boolish = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')]);
