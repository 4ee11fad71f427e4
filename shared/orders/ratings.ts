// Ratings and feedback: a customer rates the designer and the printer of a delivered order, once. A printer's mean
// rating is what the automatic match ranks by.
import { z } from 'zod';
import { Conflict, NotFound, RuleViolation } from '../errors.js';
import type { OrderStore } from './ports.js';

export const RatingInput = z.strictObject({
  designStars: z.number().int().min(1).max(5),
  printerStars: z.number().int().min(1).max(5),
  comment: z.string().trim().max(1000).optional(),
});
export type RatingInput = z.infer<typeof RatingInput>;

export interface Rating extends RatingInput {
  orderId: string;
  designId: string;
  designerId: string;
  printerId: string;
  customerId: string;
  at: string;
}

export interface RatingStore {
  /** Keeps the rating and adds it to the designer's and the printer's totals, atomically; false if this order was rated. */
  add(rating: Rating): Promise<boolean>;
  /** Mean stars of a printer, 0 when it has none yet. */
  printerRating(printerId: string): Promise<{ mean: number; count: number }>;
  designerRating(designerId: string): Promise<{ mean: number; count: number }>;
}

export async function rateOrder(input: { orderId: string; customerId: string; rating: RatingInput }, deps: { orders: OrderStore; ratings: RatingStore; now: () => Date }) {
  const order = await deps.orders.get(input.orderId);
  if (!order || order.customerId !== input.customerId) throw new NotFound(`Order ${input.orderId} not found`);
  if (order.status !== 'completed' || !order.product) throw new RuleViolation('An order can be rated once it is delivered');
  const rating: Rating = { ...input.rating, orderId: order.orderId, designId: order.designId, designerId: order.designerId, printerId: order.product.printerId, customerId: order.customerId, at: deps.now().toISOString() };
  if (!(await deps.ratings.add(rating))) throw new Conflict(`Order ${order.orderId} was rated already`);
  return rating;
}
