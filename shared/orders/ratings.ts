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
  /** Mean stars of each printer, 0 for one that has none yet. */
  printerRatings(printerIds: readonly string[]): Promise<Map<string, { mean: number; count: number }>>;
  designerRating(designerId: string): Promise<{ mean: number; count: number }>;
  /** The ratings a designer received, newest first (those given before this list was kept count in the mean only). */
  receivedByDesigner(designerId: string): Promise<Rating[]>;
}

/**
 * What a designer may read of the ratings they received: the stars for the design and the customer's comment, for
 * which design and order; not who the customer was, nor what they thought of the printer.
 */
export async function designerFeedback(input: { designerId: string }, deps: { ratings: Pick<RatingStore, 'designerRating' | 'receivedByDesigner'> }) {
  const [summary, received] = await Promise.all([deps.ratings.designerRating(input.designerId), deps.ratings.receivedByDesigner(input.designerId)]);
  return {
    ...summary,
    ratings: received.map((r) => ({ orderId: r.orderId, designId: r.designId, stars: r.designStars, ...(r.comment ? { comment: r.comment } : {}), at: r.at })),
  };
}

export async function rateOrder(input: { orderId: string; customerId: string; rating: RatingInput }, deps: { orders: OrderStore; ratings: RatingStore; now: () => Date }) {
  const order = await deps.orders.get(input.orderId);
  if (!order || order.customerId !== input.customerId) throw new NotFound(`Order ${input.orderId} not found`);
  if (order.status !== 'completed' || !order.product) throw new RuleViolation('An order can be rated once it is delivered');
  const rating: Rating = { ...input.rating, orderId: order.orderId, designId: order.designId, designerId: order.designerId, printerId: order.product.printerId, customerId: order.customerId, at: deps.now().toISOString() };
  if (!(await deps.ratings.add(rating))) throw new Conflict(`Order ${order.orderId} was rated already`);
  return rating;
}
