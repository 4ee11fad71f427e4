// Proofs of printability: a printer checks a design's size against its own configured build volume and signs its
// answer with its device key. The platform only relays the question and keeps answers whose signature checks out,
// so anyone can verify a proof with the printer's public key.
import { NotFound, RuleViolation } from '../errors.js';
import type { DesignStore } from '../designs/ports.js';
import { verifyReport, type SignedReport } from '../printing/device-keys.js';
import type { PrinterStore } from './ports.js';

export interface PrintabilityQuestion {
  requestId: string;
  designId: string;
  /** The design's bounding box, mm. */
  size: [number, number, number];
  volumeMm3?: number;
}

export interface PrintabilityAnswer {
  thing: string;
  at: string;
  requestId: string;
  designId: string;
  fits: boolean;
  rotatedZ90?: boolean;
  overBy?: [number, number, number];
  buildVolume: { x: number; y: number; z: number };
  configVersion: number;
}

export interface PrintabilityProof {
  designId: string;
  printerId: string;
  signed: SignedReport<PrintabilityAnswer>;
  signingKey: string;
}

/** Messages to a printer's own topics. */
export interface PrinterMessages {
  publish(thingName: string, kind: string, payload: object): Promise<void>;
}

export interface PrintabilityProofStore {
  put(proof: PrintabilityProof): Promise<void>;
  forDesign(designId: string): Promise<PrintabilityProof[]>;
}

export async function requestPrintabilityProof(
  input: { designId: string; printerId: string },
  deps: { designs: DesignStore; printers: PrinterStore; messages: PrinterMessages },
): Promise<{ requestId: string }> {
  const design = await deps.designs.get(input.designId);
  if (!design || design.status !== 'listed') throw new NotFound(`No listed design ${input.designId}`);
  if (!(await deps.printers.get(input.printerId))) throw new NotFound(`No printer ${input.printerId}`);
  const requestId = `${input.designId}:${input.printerId}:${design.revision}`;
  const question: PrintabilityQuestion = {
    requestId,
    designId: design.designId,
    size: design.report.boundingBox.size,
    volumeMm3: design.report.solid.kind === 'solid' ? design.report.solid.volumeMm3 : undefined,
  };
  await deps.messages.publish(input.printerId, 'printability-requests', question);
  return { requestId };
}

export async function recordPrintabilityProof(input: { thing: string; signed: unknown }, deps: { printers: PrinterStore; proofs: PrintabilityProofStore }): Promise<PrintabilityProof> {
  const printer = await deps.printers.get(input.thing);
  if (!printer) throw new NotFound(`No printer ${input.thing}`);
  const signed = input.signed as SignedReport<PrintabilityAnswer>;
  if (!signed || typeof signed.signature !== 'string' || !signed.report || typeof signed.report.designId !== 'string') throw new RuleViolation('Not a signed printability answer');
  // The topic says which printer sent it; the signature says which device did. Both must agree.
  if (signed.report.thing !== input.thing) throw new RuleViolation(`An answer from ${input.thing} claims to come from ${signed.report.thing}`);
  if (!verifyReport(signed, printer.deviceKeys.signingKey)) throw new RuleViolation(`The answer from ${input.thing} is not signed by its device key`);
  const proof: PrintabilityProof = { designId: signed.report.designId, printerId: input.thing, signed, signingKey: printer.deviceKeys.signingKey };
  await deps.proofs.put(proof);
  return proof;
}

export async function listPrintabilityProofs(input: { designId: string }, deps: { proofs: PrintabilityProofStore }): Promise<PrintabilityProof[]> {
  return deps.proofs.forDesign(input.designId);
}
