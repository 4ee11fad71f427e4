// Finding a QR code in camera frames: the browser's BarcodeDetector where it has one (Android, macOS, ChromeOS), else
// jsqr on the frame's pixels. Both answer the same question for one frame, so the scanner loop does not care which.
import * as jsqr from 'jsqr';

// jsqr is CommonJS: the decoder is the namespace's default in Vite's bundle and under Node (the unit tests), but the
// type checker under NodeNext sees the module object there, whose own `default` is the decoder.
type Decode = (data: Uint8ClampedArray, width: number, height: number, options?: jsqr.Options) => { data: string } | null;
const loaded = jsqr.default as unknown as Decode | { default: Decode };
const jsQR: Decode = typeof loaded === 'function' ? loaded : loaded.default;

/** The text of the QR code in one frame's pixels (RGBA), or undefined if there is none. */
export function decodeFrame(frame: { data: Uint8ClampedArray; width: number; height: number }): string | undefined {
  const found = jsQR(frame.data, frame.width, frame.height, { inversionAttempts: 'attemptBoth' });
  return found?.data || undefined;
}

export interface FrameReader {
  kind: 'barcode-detector' | 'jsqr';
  read(video: HTMLVideoElement): Promise<string | undefined>;
}

interface BarcodeDetectorLike {
  detect(source: CanvasImageSource): Promise<{ rawValue: string }[]>;
}
interface BarcodeDetectorClass {
  new (opts: { formats: string[] }): BarcodeDetectorLike;
  getSupportedFormats(): Promise<string[]>;
}

/** Frames are scaled down to this width before jsqr looks at them: enough for a code filling part of the view. */
const maxWidth = 640;

export async function frameReader(): Promise<FrameReader> {
  const Detector = (globalThis as { BarcodeDetector?: BarcodeDetectorClass }).BarcodeDetector;
  if (Detector) {
    try {
      if ((await Detector.getSupportedFormats()).includes('qr_code')) {
        const detector = new Detector({ formats: ['qr_code'] });
        return { kind: 'barcode-detector', read: async (video) => (await detector.detect(video))[0]?.rawValue || undefined };
      }
    } catch {
      // A detector that cannot start leaves jsqr to do the work.
    }
  }
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('This browser cannot read camera frames. Paste the link instead.');
  return {
    kind: 'jsqr',
    read: async (video) => {
      if (!video.videoWidth) return undefined;
      const scale = Math.min(1, maxWidth / video.videoWidth);
      canvas.width = Math.round(video.videoWidth * scale);
      canvas.height = Math.round(video.videoHeight * scale);
      ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
      return decodeFrame(ctx.getImageData(0, 0, canvas.width, canvas.height));
    },
  };
}

/** What went wrong when asking for the camera, said so a person can fix it. */
export function cameraProblem(err: unknown): string {
  const name = (err as { name?: string } | undefined)?.name;
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
      return 'Camera access was refused. Allow the camera for this site in your browser’s settings (usually the camera or lock icon next to the address), then press “Scan with the camera” again — or paste the link below.';
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return 'No camera was found on this device. Paste the link printed under the QR code below instead.';
    case 'NotReadableError':
    case 'TrackStartError':
      return 'The camera is in use by another app or could not be started. Close the other app and try again, or paste the link below.';
    case 'SecurityError':
      return 'This page may not use the camera here (it needs a secure https address). Paste the link below instead.';
    case 'AbortError':
      return 'The camera stopped before it could be used. Try again, or paste the link below.';
    default:
      return 'The camera could not be started. Try again, or paste the link printed under the QR code below.';
  }
}
