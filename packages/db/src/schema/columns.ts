import { numeric, timestamp } from 'drizzle-orm/pg-core';

/** Money in minor units. numeric(78,0), not bigint: 18-decimal tokens overflow int8 at about 9.2 tokens. */
export const minorUnits = (name: string) => numeric(name, { precision: 78, scale: 0, mode: 'bigint' });

export const instant = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
