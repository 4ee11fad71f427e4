// Licences from a design's edition. Reserving is atomic and idempotent per order: concurrent orders can never take more
// prints than the edition holds, and a retried reservation for the same order takes nothing more.
import { z } from 'zod';

export type Reservation =
  | { outcome: 'reserved'; designId: string; orderId: string; printNumber: number; termsVersion: number }
  | { outcome: 'sold-out'; designId: string; editionSize: number }
  | { outcome: 'not-listed'; designId: string };

export interface LicenseReservations {
  /** Takes the next print of the edition for this order, or returns the one it already took. */
  reserve(input: { designId: string; orderId: string }): Promise<Reservation>;
  /** Gives a reservation back (a refunded order); releasing twice is harmless. */
  release(input: { designId: string; orderId: string }): Promise<void>;
}

export const ReserveLicenseInput = z.strictObject({ designId: z.string().min(1).max(128), orderId: z.string().min(1).max(128) });
