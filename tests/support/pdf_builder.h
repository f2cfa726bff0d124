#pragma once
// PDF files written byte by byte for tests and benchmarks: plain pages of text, scanned pages (a picture each, no
// text layer), and a page built to be slow to extract. Uncompressed but for the scans' JPEG, Helvetica (not
// embedded), one content stream per page, a correct cross-reference table.

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace parley::testing {

// A PDF of these objects (numbered from 1; the first is the catalog), with a correct cross-reference table.
inline std::string WritePdf(const std::vector<std::string>& objects) {
  std::string pdf = "%PDF-1.4\n";
  std::vector<size_t> offsets;
  for (size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  size_t xref = pdf.size();
  pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  for (size_t offset : offsets) {
    char entry[32];
    std::snprintf(entry, sizeof entry, "%010zu 00000 n \n", offset);
    pdf += entry;
  }
  pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R >>\nstartxref\n" +
         std::to_string(xref) + "\n%%EOF\n";
  return pdf;
}

// A PDF whose pages have these content streams (PDF operators, e.g. "BT /F1 12 Tf 72 720 Td (Hello) Tj ET").
inline std::string BuildPdf(const std::vector<std::string>& page_contents) {
  std::vector<std::string> objects;
  std::string kids;
  for (size_t i = 0; i < page_contents.size(); ++i) kids += std::to_string(4 + 2 * i) + " 0 R ";
  objects.push_back("<< /Type /Catalog /Pages 2 0 R >>");
  objects.push_back("<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(page_contents.size()) + " >>");
  objects.push_back("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
  for (size_t i = 0; i < page_contents.size(); ++i) {
    objects.push_back(
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents " +
        std::to_string(5 + 2 * i) + " 0 R >>");
    objects.push_back("<< /Length " + std::to_string(page_contents[i].size()) + " >>\nstream\n" + page_contents[i] +
                      "\nendstream");
  }
  return WritePdf(objects);
}

// A page as a scanner makes it: a greyscale JPEG of `width` × `height` pixels scanned at `dpi`, and no text layer.
struct ScannedPage {
  std::string jpeg;
  int width = 0;
  int height = 0;
  int dpi = 200;
};

// A PDF of scanned pages: each page is its picture alone, at its size (pixels × 72 / dpi points).
inline std::string ScannedPdf(const std::vector<ScannedPage>& pages) {
  std::vector<std::string> objects;
  std::string kids;
  for (size_t i = 0; i < pages.size(); ++i) kids += std::to_string(3 + 3 * i) + " 0 R ";
  objects.push_back("<< /Type /Catalog /Pages 2 0 R >>");
  objects.push_back("<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(pages.size()) + " >>");
  for (size_t i = 0; i < pages.size(); ++i) {
    const ScannedPage& page = pages[i];
    const std::string width = std::to_string(page.width * 72.0 / page.dpi);
    const std::string height = std::to_string(page.height * 72.0 / page.dpi);
    const std::string content = "q " + width + " 0 0 " + height + " 0 0 cm /Scan Do Q";
    objects.push_back("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 " + width + " " + height +
                      "] /Resources << /XObject << /Scan " + std::to_string(4 + 3 * i) + " 0 R >> >> /Contents " +
                      std::to_string(5 + 3 * i) + " 0 R >>");
    objects.push_back("<< /Type /XObject /Subtype /Image /Width " + std::to_string(page.width) + " /Height " +
                      std::to_string(page.height) +
                      " /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode /Length " +
                      std::to_string(page.jpeg.size()) + " >>\nstream\n" + page.jpeg + "\nendstream");
    objects.push_back("<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "\nendstream");
  }
  return WritePdf(objects);
}

// `pages` pages, each with one line of text: "Page N of the handbook."
inline std::string TextPdf(int pages) {
  std::vector<std::string> contents;
  for (int page = 1; page <= pages; ++page) {
    contents.push_back("BT /F1 12 Tf 72 720 Td (Page " + std::to_string(page) + " of the handbook.) Tj ET");
  }
  return BuildPdf(contents);
}

// One page of `words` short words at scattered positions in a 1-point font: poppler's text layout takes time
// quadratic in the words of a page that do not form lines (about 5 s of one core for 10,000 words, 17 s for
// 20,000 on the machine of docs/benchmarks.md), for a file of about 32 bytes per word.
inline std::string SlowPdf(int words) {
  std::string content = "BT /F1 1 Tf\n";
  uint32_t state = 12345;
  auto next = [&state](uint32_t range) {
    state = state * 1664525u + 1013904223u;  // A fixed sequence: the same file every time.
    return (state >> 8) % range;
  };
  for (int i = 0; i < words; ++i) {
    uint32_t x = next(6000);
    uint32_t y = next(7800);
    content += "1 0 0 1 " + std::to_string(x / 10) + "." + std::to_string(x % 10) + " " + std::to_string(y / 10) + "." +
               std::to_string(y % 10) + " Tm (w" + std::to_string(i % 97) + ") Tj\n";
  }
  content += "ET";
  return BuildPdf({content});
}

}  // namespace parley::testing
