// GET /me/ratings: the ratings and feedback the calling designer received, newest first, with their mean.
import { designerFeedback } from '../../shared/orders/ratings.js';
import { httpRoute, userOf } from '../lib/http.js';
import { ratingStore } from './wiring.js';

const deps = { ratings: ratingStore() };

export const handler = httpRoute({
  run: async ({ caller }) => ({ body: await designerFeedback({ designerId: userOf(caller).userId }, deps) }),
});
