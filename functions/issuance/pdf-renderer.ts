import { readFileSync } from 'node:fs';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, type PDFFont, type PDFPage, rgb } from 'pdf-lib';
import { missingFontMessage, type PdfRenderer } from './renderer';

/**
 * Renders a document as an A4 PDF with a Chinese font embedded as a subset (only the glyphs used, a few
 * KiB). The font is WenQuanYi Micro Hei from Debian's `fonts-wqy-microhei` (installed by the setup
 * scripts; shipped next to the Lambda bundle in AWS): one face is picked out of the .ttc collection,
 * because pdf-lib can only embed a single font.
 */
const faceName = 'WenQuanYiMicroHei';

const a4 = { width: 595.28, height: 841.89 };
const margin = 64;

/** Splits text into lines no wider than `width`, character by character (Chinese has no spaces to break at). */
function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const char of text) {
    if (font.widthOfTextAtSize(line + char, size) > width && line) {
      lines.push(line);
      line = '';
    }
    line += char;
  }
  if (line || lines.length === 0) lines.push(line);
  return lines;
}

export function pdfRenderer(fontBytes: Uint8Array): PdfRenderer {
  return {
    async render(content) {
      const doc = await PDFDocument.create();
      doc.registerFontkit({ create: (data: Uint8Array) => fontkit.create(data, faceName) });
      doc.setTitle(`${content.title} ${content.number}`);
      doc.setCreator('OneWindow 一窗通办');
      const font = await doc.embedFont(fontBytes, { subset: true });
      let page: PDFPage = doc.addPage([a4.width, a4.height]);
      let y = a4.height - margin;
      const usable = a4.width - 2 * margin;
      const write = (
        text: string,
        size: number,
        options: { x?: number; gap?: number; center?: boolean } = {},
      ) => {
        for (const line of wrap(text, font, size, usable - (options.x ?? 0))) {
          if (y < margin + size) {
            page = doc.addPage([a4.width, a4.height]);
            y = a4.height - margin;
          }
          const x = options.center
            ? (a4.width - font.widthOfTextAtSize(line, size)) / 2
            : margin + (options.x ?? 0);
          page.drawText(line, { x, y, size, font, color: rgb(0, 0, 0) });
          y -= size * 1.6;
        }
        y -= options.gap ?? 0;
      };

      write(content.title, 20, { center: true, gap: 12 });
      for (const field of content.fields) write(`${field.label}:${field.value}`, 12, { gap: 2 });
      y -= 8;
      for (const paragraph of content.paragraphs) write(paragraph, 12, { gap: 4 });
      y -= 24;
      write(content.issuer, 12, { x: usable / 2 });
      write(content.date, 12, { x: usable / 2, gap: 16 });
      if (content.verification) {
        write(`验证码:${content.verification.code}`, 10);
        write(content.verification.how, 10);
      }
      return doc.save();
    },
  };
}

/** The renderer over the font file at `path` (read once; a missing font stops the function from loading). */
export function pdfRendererFromFile(path: string): PdfRenderer {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new Error(missingFontMessage(path, (error as Error).message));
  }
  return pdfRenderer(bytes);
}
