#include "knowledge/extract.h"
#include "knowledge/extract/document_builder.h"
#include "knowledge/extract/formats.h"

namespace parley::knowledge {

Result<ExtractedDocument> Extract(Format format, std::string_view bytes, const ExtractLimits& limits) {
  if (bytes.size() > detail::kMaxInputBytes) return Error::InvalidArgument("file too large");
  switch (format) {
    case Format::kText:
      return detail::ExtractPlainText(bytes, limits);
    case Format::kMarkdown:
      return detail::ExtractMarkdown(bytes, limits);
    case Format::kHtml:
      return detail::ExtractHtml(bytes, limits);
    case Format::kPdf:
      return detail::ExtractPdf(bytes, limits);
    case Format::kDocx:
      return detail::ExtractDocx(bytes, limits);
    case Format::kCsv:
      return detail::ExtractCsv(bytes, limits);
    case Format::kImage:
      return detail::ExtractImage(bytes, limits);
  }
  return Error::InvalidArgument("unsupported format");
}

}  // namespace parley::knowledge
