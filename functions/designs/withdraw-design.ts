// DELETE /designs/{designId}: withdraws the design from sale; its history stays.
import { withdrawDesign } from '../../shared/designs/manage-design.js';
import { ownerView } from '../../shared/designs/design.js';
import { httpRoute, userOf } from '../lib/http.js';
import { clock, designStore } from './wiring.js';

const deps = { designs: designStore(), ...clock };

export const handler = httpRoute({
  run: async ({ caller, path }) => ({ body: ownerView(await withdrawDesign({ designerId: userOf(caller).userId, designId: path.designId! }, deps)) }),
});
