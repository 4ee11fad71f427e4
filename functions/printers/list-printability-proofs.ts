// GET /designs/{designId}/printability: the design's signed proofs, each checkable with the printer's public key.
import { listPrintabilityProofs } from '../../shared/printers/printability-proof.js';
import { httpRoute } from '../lib/http.js';
import { printabilityProofs } from './wiring.js';

const deps = { proofs: printabilityProofs() };

export const handler = httpRoute({ run: async ({ path }) => ({ body: await listPrintabilityProofs({ designId: path.designId! }, deps) }) });
