#include "imaging/ocr.h"
#include "knowledge/extract/document_builder.h"
#include "knowledge/extract/formats.h"

#include <string>

namespace parley::knowledge::detail {
namespace {

// A scanned A4 page at 300 dpi is 2480 × 3508: read at most this long edge, small print stays legible (phone
// photos are shrunk to it).
constexpr int kMaxEdge = 3500;

}  // namespace

bool IsReadableImage(std::string_view bytes) {
  return bytes.starts_with("\x89PNG\r\n\x1a\n") || bytes.starts_with("\xFF\xD8\xFF") ||
         (bytes.size() >= 12 && bytes.starts_with("RIFF") && bytes.substr(8, 4) == "WEBP") ||
         bytes.starts_with(std::string_view("II*\0", 4)) || bytes.starts_with(std::string_view("MM\0*", 4));
}

Result<ExtractedDocument> ExtractImage(std::string_view bytes, const ExtractLimits& limits) {
  if (!IsReadableImage(bytes)) return Error::InvalidArgument("not a PNG, JPEG, WebP or TIFF image");
  if (limits.ocr_languages.empty()) return Error::InvalidArgument("text in images is not read on this server");
  auto text = imaging::ReadText(bytes, {.languages = limits.ocr_languages,
                                        .max_pixels = limits.max_pixels,
                                        .max_edge = kMaxEdge,
                                        .cpu_limit = limits.ocr_time,
                                        .paragraphs = true});
  if (!text && text.error().code == ErrorCode::kTimeout) {
    return Error{ErrorCode::kInvalidArgument,
                 "the image's text took more than " + std::to_string((limits.ocr_time.count() + 999) / 1000) +
                     " s of processor time to read",
                 text.error().detail};
  }
  if (!text) return Error{ErrorCode::kInvalidArgument, text.error().message, text.error().detail};
  DocumentBuilder builder(limits.max_chars);
  for (std::string_view paragraph : SplitParagraphs(*text)) {
    if (!builder.Add(Block::Kind::kParagraph, paragraph)) break;
  }
  // The builder's "document has no text" would leave its owner wondering whether the image was read at all.
  if (builder.Empty()) return Error::InvalidArgument("no text was found in the image");
  return std::move(builder).Finish();
}

}  // namespace parley::knowledge::detail
