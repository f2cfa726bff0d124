#include "knowledge/extract/document_builder.h"
#include "knowledge/extract/formats.h"

namespace parley::knowledge::detail {

Result<ExtractedDocument> ExtractPlainText(std::string_view bytes, const ExtractLimits& limits) {
  DocumentBuilder builder(limits.max_chars);
  for (std::string_view paragraph : SplitParagraphs(StripUtf8Bom(bytes))) {
    if (!builder.Add(Block::Kind::kParagraph, paragraph)) break;
  }
  return std::move(builder).Finish();
}

}  // namespace parley::knowledge::detail
