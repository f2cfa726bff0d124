#include "knowledge/extract/document_builder.h"
#include "knowledge/extract/formats.h"

#include <algorithm>
#include <string>
#include <vector>

namespace parley::knowledge::detail {
namespace {

// A title is followed by prose: text that does not itself read as a title. A run of short lines ("Monday 9-18",
// "Tuesday 9-18") is content, never a heading with nothing under it.
bool IsProse(std::string_view text) { return !LooksLikeTitle(CollapseWhitespace(text)); }

}  // namespace

// Plain text sets its titles apart instead of marking them: a short line that reads as a title, alone in its
// paragraph or first in it, and followed by prose is the heading of that prose ("Gift cards" above "Gift cards
// are sold…"), so that it is not glued onto its text. A title that opens the document is level 1, the others 2.
Result<ExtractedDocument> ExtractPlainText(std::string_view bytes, const ExtractLimits& limits) {
  DocumentBuilder builder(limits.max_chars);
  std::vector<std::string_view> paragraphs = SplitParagraphs(StripUtf8Bom(bytes));
  for (size_t i = 0; i < paragraphs.size(); ++i) {
    std::string_view paragraph = paragraphs[i];
    size_t line_end = std::min(paragraph.find('\n'), paragraph.size());
    std::string_view rest = paragraph.substr(std::min(line_end + 1, paragraph.size()));
    bool title = LooksLikeTitle(CollapseWhitespace(paragraph.substr(0, line_end))) &&
                 (rest.empty() ? i + 1 < paragraphs.size() && IsProse(paragraphs[i + 1]) : IsProse(rest));
    if (title) {
      if (!builder.Add(Block::Kind::kHeading, paragraph.substr(0, line_end), i == 0 ? 1 : 2)) break;
      paragraph = rest;
    }
    if (!builder.Add(Block::Kind::kParagraph, paragraph)) break;
  }
  return std::move(builder).Finish();
}

}  // namespace parley::knowledge::detail
