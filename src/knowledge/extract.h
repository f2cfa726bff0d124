#pragma once
// Turns an uploaded file into structured text: the blocks (headings, paragraphs, list items, table rows) that
// the chunker cuts along. One entry point per concern: detect the format, extract a document, or read a CSV of
// Q&A pairs. Nothing here touches the network or the store; every failure is a clear kInvalidArgument error for
// the document, never a crash (inputs are untrusted uploads).

#include "core/error.h"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace parley::knowledge {

// kImage: a picture of text (a scanned page, a photo of a menu, a screenshot), read by OCR.
enum class Format { kText, kMarkdown, kHtml, kPdf, kDocx, kCsv, kImage };

std::string_view ToString(Format format);  //!< "txt", "markdown", "html", "pdf", "docx", "csv", "image".

// By file extension first (.txt .md .markdown .html .htm .pdf .docx .csv .png .jpg .jpeg .webp .tif .tiff,
// case-insensitive), then by content type (text/plain, text/markdown, text/html, application/pdf,
// application/vnd.openxmlformats-officedocument.wordprocessingml.document, text/csv, image/png, image/jpeg,
// image/webp, image/tiff), then by magic bytes (%PDF-, PK\x03\x04 with word/document.xml, <html/<!doctype html,
// the PNG, JPEG, WebP and TIFF signatures). kInvalidArgument naming the file when none matches ("unsupported file
// type: x.exe").
Result<Format> DetectFormat(std::string_view file_name, std::string_view content_type, std::string_view bytes);

// A table is a run of kTableRow blocks, opened by a kTableHeader when the format or the table says which row
// names the columns (a Markdown or CSV table's first row, HTML's <th> or <thead>, a Word header row).
struct Block {
  enum class Kind { kHeading, kParagraph, kListItem, kTableRow, kCode, kTableHeader };
  Kind kind = Kind::kParagraph;
  int level = 0;  //!< Heading level 1–6; 0 for other kinds.
  std::string
      text;      //!< UTF-8, whitespace collapsed (except kCode), never empty; a row's non-empty cells joined by " | ".
  int page = 0;  //!< 1-based PDF page the block starts on; 0 for other formats.
  std::vector<std::string> cells;  //!< A row's cells in column order, empty ones kept so columns line up.
};

struct ExtractedDocument {
  std::string title;  //!< <title>, the first H1, DOCX core title, PDF Info Title; may be empty.
  std::vector<Block> blocks;
  //! What was left out of a document read all the same, for its owner ("scanned pages 21–40 were not read: OCR
  //! reads at most 20 per document"); empty when nothing was.
  std::string note;
};

// How much of a document extraction reads: past the page or character limit the document fails with a reason its
// owner sees, and the reader stops there instead of reading the rest. Text recognition (an image, a PDF page without
// a text layer) has budgets of its own: past them the pages left are skipped and the document says so in its note.
struct ExtractLimits {
  int max_pages = 1000;            //!< PDF pages ("the PDF has more than 1000 pages").
  int64_t max_chars = 10'000'000;  //!< Characters (code points) of text kept, title included.
  //! Tesseract's languages joined by '+' (imaging/ocr.h); empty: images and scanned pages are not read.
  std::string ocr_languages = "eng+fra+deu+spa";
  int max_ocr_pages = 20;  //!< PDF pages without a text layer read by OCR, per document.
  //! Processor time for recognition in a whole document (its scanned pages, rendering included, or its image).
  std::chrono::milliseconds ocr_time{20000};
  int64_t max_pixels = 40'000'000;  //!< An image declaring more is refused; a page is rendered within it.
};

// Extracts `bytes` in `format`. A CSV file is a table (its first row names the columns), unless it holds Q&A
// pairs (IsQaCsv), which ParseQaCsv reads. Invalid UTF-8 in text formats is replaced with
// U+FFFD. An image's text and a PDF page's without a text layer are read by OCR within the limits' OCR budgets.
// kInvalidArgument with a reason ("not a PDF file", "DOCX has no word/document.xml", "document has no
// text", "no text was found in the image", "the PDF has more than 1000 pages") when the input cannot be read,
// holds no text or passes `limits`.
// At most 50 MiB in. Runs in the calling thread for as long as the format's library takes: a hostile PDF can take
// minutes, so the ingestor reads PDF, DOCX and HTML in a child process (knowledge/extract_process.h).
Result<ExtractedDocument> Extract(Format format, std::string_view bytes, const ExtractLimits& limits = {});

// One FAQ entry: several phrasings of a question with one answer.
struct QaPair {
  std::vector<std::string> questions;
  std::string answer;
};

// Whether a CSV file's header row names a question and an answer column, as ParseQaCsv needs.
bool IsQaCsv(std::string_view bytes);

// Reads a CSV of Q&A pairs (RFC 4180: quoted fields, doubled quotes, CRLF or LF, UTF-8 with optional BOM).
// A header row naming the columns is required: one "answer" column (also "réponse", "reponse", "a") and one
// or more question columns ("question", "question2", …, "q", "questions"; a "questions" cell may hold several
// phrasings separated by "|"). Column names are matched case-insensitively. Rows with an empty answer or no
// question are skipped. kInvalidArgument ("CSV needs a question and an answer column", "unterminated quote on
// line 7") when unreadable or when no pair remains.
Result<std::vector<QaPair>> ParseQaCsv(std::string_view bytes);

}  // namespace parley::knowledge
