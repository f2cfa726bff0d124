#include "knowledge/extract/document_builder.h"
#include "knowledge/extract/formats.h"

#include <poppler-document.h>
#include <poppler-global.h>
#include <poppler-page.h>

#include <memory>
#include <mutex>
#include <string>

namespace parley::knowledge::detail {
namespace {

std::string ToUtf8(const poppler::ustring& text) {
  poppler::byte_array bytes = text.to_utf8();
  return {bytes.begin(), bytes.end()};
}

// poppler reports every oddity of a damaged file on stderr; for uploads the extraction result says enough.
void SilencePoppler() {
  static std::once_flag once;
  std::call_once(once, [] { poppler::set_debug_error_function([](const std::string&, void*) {}, nullptr); });
}

}  // namespace

Result<ExtractedDocument> ExtractPdf(std::string_view bytes, const ExtractLimits& limits) {
  // Readers accept junk before the header, within the first kilobyte.
  if (bytes.substr(0, 1024).find("%PDF-") == std::string_view::npos) return Error::InvalidArgument("not a PDF file");
  SilencePoppler();
  try {
    // The document reads `bytes` in place; they outlive it.
    std::unique_ptr<poppler::document> document(
        poppler::document::load_from_raw_data(bytes.data(), static_cast<int>(bytes.size())));
    if (document == nullptr) return Error::InvalidArgument("PDF could not be read");
    // Checked first: poppler dereferences a null catalog if a locked document is asked for its pages.
    if (document->is_locked()) return Error::InvalidArgument("PDF is password-protected");
    // Checked before any page is read: a page's text can take poppler seconds, so a long PDF is refused whole
    // rather than read up to the limit and then refused.
    int pages = document->pages();
    if (pages > limits.max_pages) {
      return Error::InvalidArgument("the PDF has more than " + std::to_string(limits.max_pages) + " pages");
    }
    DocumentBuilder builder(limits.max_chars);
    builder.SetTitle(ToUtf8(document->info_key("Title")));
    bool room_left = true;
    for (int index = 0; index < pages && room_left; ++index) {
      std::unique_ptr<poppler::page> page(document->create_page(index));
      if (page == nullptr) continue;
      // The physical layout keeps vertical gaps as blank lines, which is what separates paragraphs.
      std::string text = ToUtf8(page->text(poppler::rectf(), poppler::page::physical_layout));
      for (std::string_view paragraph : SplitParagraphs(text)) {
        room_left = builder.Add(Block::Kind::kParagraph, paragraph, 0, index + 1);
        if (!room_left) break;
      }
    }
    return std::move(builder).Finish();
  } catch (const std::exception&) {
    // A hostile file can make poppler's allocations fail; that fails this upload, not the server.
    return Error::InvalidArgument("PDF could not be read");
  }
}

}  // namespace parley::knowledge::detail
