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

}  // namespace parley::knowledge::detail
