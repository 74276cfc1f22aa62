import { accessSync, constants } from 'node:fs';
import type { DocumentContent } from '../domain/results/documents';

/** Turns a document's content into the PDF handed out or stored (pdf-renderer.ts). */
export interface PdfRenderer {
  render(content: DocumentContent): Promise<Uint8Array>;
}

export const defaultFontPath = '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc';

export const missingFontMessage = (path: string, reason: string): string =>
  `the Chinese font for documents is missing at ${path} (install Debian's fonts-wqy-microhei or set RESULT_FONT_PATH): ${reason}`;

/**
 * The PDF renderer, loaded with its font on the first document rather than at cold start: pdf-lib and
 * fontkit are most of the issuance bundle, and most requests to it (issue, confirm delivery, download,
 * verify) render nothing. A missing font still stops the function from loading.
 */
export function rendererOnDemand(fontPath: string): PdfRenderer {
  try {
    accessSync(fontPath, constants.R_OK);
  } catch (error) {
    throw new Error(missingFontMessage(fontPath, (error as Error).message));
  }
  let loaded: Promise<PdfRenderer> | undefined;
  return {
    async render(content) {
      loaded ??= import('./pdf-renderer').then((module) => module.pdfRendererFromFile(fontPath));
      return (await loaded).render(content);
    },
  };
}
