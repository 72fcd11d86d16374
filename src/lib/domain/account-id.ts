// The one rule for an Account ID on the wire and in data files: 1-18 digits, kept as a string so
// leading zeros survive. Its own module so the browser gets it without the server's dataset schemas.
import { z } from 'zod/mini';

export const accountIdSchema = z.string().check(z.regex(/^\d{1,18}$/, 'Account ID must be 1-18 digits'));
