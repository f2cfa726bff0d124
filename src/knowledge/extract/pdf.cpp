#include "imaging/ocr.h"
#include "knowledge/extract/document_builder.h"
#include "knowledge/extract/formats.h"

#include <poppler-document.h>
#include <poppler-global.h>
#include <poppler-image.h>
#include <poppler-page-renderer.h>
#include <poppler-page.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

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

// Scanned pages are rendered at this resolution: Tesseract's models are trained at 300 dpi, but 200 read every word
// of a page of body text as well, with half the rendering and less recognition time (docs/benchmarks.md).
constexpr double kScanDpi = 200;

// Reads the pages that have no text layer by OCR, within the document's OCR budget (pages and time), and says which
// it had to skip and why.
class ScannedPages {
 public:
  explicit ScannedPages(const ExtractLimits& limits) : limits_(limits), started_(imaging::ThreadCpuTime()) {}

  // The text of `page` (1-based `number`) rendered and read; empty when it was skipped or holds no text.
  std::string Read(const poppler::page& page, int number) {
    if (limits_.ocr_languages.empty() || limits_.max_ocr_pages == 0) {
      return Skip(number, "text in scanned pages is not read on this server");
    }
    if (read_ >= limits_.max_ocr_pages) {
      return Skip(number, "OCR reads at most " + std::to_string(limits_.max_ocr_pages) + " per document");
    }
    // Rendering counts too: the budget is what reading scanned pages costs.
    const std::chrono::milliseconds left = limits_.ocr_time - (imaging::ThreadCpuTime() - started_);
    if (left.count() <= 0) return Skip(number, OutOfTime());
    ++read_;
    auto image = Render(page);
    if (!image) return Skip(number, "rendering failed");
    auto text = imaging::ReadGreyText(image->first, image->second,
                                      {.languages = limits_.ocr_languages, .cpu_limit = left, .paragraphs = true});
    if (!text && text.error().code == ErrorCode::kTimeout) return Skip(number, OutOfTime());
    if (!text) return Skip(number, text.error().message);
    return std::move(*text);
  }

  // "scanned pages 21–40 were not read: OCR reads at most 20 per document", a sentence per reason joined by "; ";
  // empty when no page was skipped.
  std::string Note() const {
    std::string note;
    for (const auto& [reason, numbers] : skipped_) {
      std::string pages;
      for (size_t i = 0; i < numbers.size(); ++i) {
        size_t last = i;
        while (last + 1 < numbers.size() && numbers[last + 1] == numbers[last] + 1) ++last;
        if (!pages.empty()) pages += ", ";
        pages += std::to_string(numbers[i]);
        if (last > i) pages += "\u2013" + std::to_string(numbers[last]);
        i = last;
      }
      if (!note.empty()) note += "; ";
      note += (numbers.size() == 1 ? "scanned page " + pages + " was" : "scanned pages " + pages + " were") +
              " not read: " + reason;
    }
    return note;
  }

 private:
  std::string Skip(int number, std::string reason) {
    auto same =
        std::find_if(skipped_.begin(), skipped_.end(), [&](const auto& entry) { return entry.first == reason; });
    if (same == skipped_.end()) same = skipped_.insert(skipped_.end(), {std::move(reason), {}});
    same->second.push_back(number);
    return {};
  }

  std::string OutOfTime() const {
    return "the " + std::to_string((limits_.ocr_time.count() + 999) / 1000) +
           " s of processor time for reading scanned pages ran out";
  }

  // The page in 8-bit grey at kScanDpi, or less when that would pass the pixel limit (a page can declare any size).
  std::optional<std::pair<imaging::GreyImage, int>> Render(const poppler::page& page) const {
    const poppler::rectf box = page.page_rect();  // The crop box, which is what is rendered.
    const double inches = (box.width() / 72.0) * (box.height() / 72.0);
    if (!(inches > 0)) return std::nullopt;
    const double dpi = std::min(kScanDpi, std::sqrt(static_cast<double>(limits_.max_pixels) / inches));
    poppler::page_renderer renderer;
    renderer.set_image_format(poppler::image::format_gray8);
    renderer.set_render_hints(poppler::page_renderer::antialiasing | poppler::page_renderer::text_antialiasing);
    poppler::image image = renderer.render_page(&page, dpi, dpi);
    if (!image.is_valid() || image.format() != poppler::image::format_gray8) return std::nullopt;
    imaging::GreyImage grey{.width = image.width(), .height = image.height()};
    grey.pixels.reserve(static_cast<size_t>(grey.width) * static_cast<size_t>(grey.height));
    const char* row = image.const_data();
    for (int y = 0; y < grey.height; ++y, row += image.bytes_per_row()) grey.pixels.append(row, grey.width);
    return std::make_pair(std::move(grey), static_cast<int>(dpi));
  }

  const ExtractLimits& limits_;
  const std::chrono::milliseconds started_;  //!< The thread's processor time when the document was opened.
  int read_ = 0;
  std::vector<std::pair<std::string, std::vector<int>>> skipped_;  //!< Each reason, with its pages in order.
};

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
    ScannedPages scanned(limits);
    bool room_left = true;
    for (int index = 0; index < pages && room_left; ++index) {
      std::unique_ptr<poppler::page> page(document->create_page(index));
      if (page == nullptr) continue;
      // The physical layout keeps vertical gaps as blank lines, which is what separates paragraphs.
      std::string text = ToUtf8(page->text(poppler::rectf(), poppler::page::physical_layout));
      // A page without a text layer is a picture of one (a scan): its text is read by OCR.
      if (text.find_first_not_of(" \t\r\n\f\v") == std::string::npos) text = scanned.Read(*page, index + 1);
      for (std::string_view paragraph : SplitParagraphs(text)) {
        room_left = builder.Add(Block::Kind::kParagraph, paragraph, 0, index + 1);
        if (!room_left) break;
      }
    }
    std::string note = scanned.Note();
    // Nothing read at all: the skipped pages are the reason.
    if (builder.Empty() && !note.empty()) return Error::InvalidArgument(std::move(note));
    Result<ExtractedDocument> extracted = std::move(builder).Finish();
    if (extracted) extracted->note = std::move(note);
    return extracted;
  } catch (const std::exception&) {
    // A hostile file can make poppler's allocations fail; that fails this upload, not the server.
    return Error::InvalidArgument("PDF could not be read");
  }
}

}  // namespace parley::knowledge::detail
