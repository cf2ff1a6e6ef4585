import { z } from 'zod';

// Schema parts every module's routes share; the core's own answers are in server/schemas.ts.

/** The body of every error answer (see http-errors.ts). */
export const errorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});

/** Query integers arrive as text. */
export const queryInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
