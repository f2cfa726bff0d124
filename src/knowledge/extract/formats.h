#pragma once
// One extractor per format, called by Extract once the input size is checked. Private to src/knowledge/extract.

#include "knowledge/extract.h"

#include <string_view>

namespace parley::knowledge::detail {

Result<ExtractedDocument> ExtractPlainText(std::string_view bytes, const ExtractLimits& limits);
Result<ExtractedDocument> ExtractMarkdown(std::string_view bytes, const ExtractLimits& limits);
Result<ExtractedDocument> ExtractHtml(std::string_view bytes, const ExtractLimits& limits);
Result<ExtractedDocument> ExtractPdf(std::string_view bytes, const ExtractLimits& limits);
Result<ExtractedDocument> ExtractDocx(std::string_view bytes, const ExtractLimits& limits);
// A CSV file as one table whose first row names the columns.
Result<ExtractedDocument> ExtractCsv(std::string_view bytes, const ExtractLimits& limits);
// The text of a PNG, JPEG, WebP or TIFF image, read by OCR.
Result<ExtractedDocument> ExtractImage(std::string_view bytes, const ExtractLimits& limits);

// Whether `bytes` start with the signature of an image kind ExtractImage reads: only those reach libvips, whose
// other loaders (SVG, PDF, and more) would open far more than a picture.
bool IsReadableImage(std::string_view bytes);

}  // namespace parley::knowledge::detail
