// The browser's upload of a design file straight to S3 with the presigned PUT URL that POST /designs handed out.
// XMLHttpRequest rather than fetch: fetch reports no upload progress.

export class UploadFailed extends Error {
  constructor(
    message: string,
    /** Whether sending the same file to the same URL again may work. */
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'UploadFailed';
  }
}

export function uploadFile(
  upload: { url: string; method: 'PUT'; contentType: string },
  file: Blob,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(upload.method, upload.url);
    // The URL is signed for this content type; another one would be refused.
    xhr.setRequestHeader('content-type', upload.contentType);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(Math.min(1, e.loaded / e.total));
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve();
      } else if (xhr.status === 403) {
        reject(new UploadFailed('The upload link has expired (links last 15 minutes). Start the design again to get a new one.', false));
      } else {
        reject(new UploadFailed(`The file storage refused the upload (HTTP ${xhr.status}). Try again in a moment.`, true));
      }
    };
    xhr.onerror = () => reject(new UploadFailed('The upload was interrupted: the connection to the file storage failed. Check your connection and try again.', true));
    xhr.onabort = () => reject(new DOMException('The upload was cancelled', 'AbortError'));
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}
