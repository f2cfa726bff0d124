#include "media/ocr.h"

#include "media/image.h"

#include <tesseract/baseapi.h>

#include <memory>
#include <sstream>

namespace parley::media {
namespace {

// Screenshots and phone photos of receipts carry no resolution Tesseract trusts; without one it guesses per image and
// says so on standard error. 300 dpi is what its models are trained at.
constexpr int kAssumedDpi = 300;

struct Engine {
  std::string languages;
  std::unique_ptr<tesseract::TessBaseAPI> api;
};

// One engine per thread (a TessBaseAPI is not thread-safe, and loading four languages' data takes longer than reading
// most images), started with `languages` on the thread's first image.
Result<tesseract::TessBaseAPI*> EngineFor(const std::string& languages) {
  thread_local Engine engine;
  if (engine.api && engine.languages == languages) return engine.api.get();
  engine.api.reset();
  auto api = std::make_unique<tesseract::TessBaseAPI>();
  // Its debug and warning lines would reach standard error, outside the structured log.
  api->SetVariable("debug_file", "/dev/null");
  if (api->Init(nullptr, languages.c_str(), tesseract::OEM_DEFAULT) != 0) {
    return Error{ErrorCode::kUnavailable, "text recognition is unavailable",
                 "Tesseract cannot start with languages " + languages + " (tesseract-ocr-* data installed?)"};
  }
  engine.languages = languages;
  engine.api = std::move(api);
  return engine.api.get();
}

// Lines trimmed, blank ones dropped.
std::string CleanLines(const char* text) {
  std::istringstream in(text == nullptr ? "" : text);
  std::string out;
  for (std::string line; std::getline(in, line);) {
    const size_t first = line.find_first_not_of(" \t\r\f\v");
    if (first == std::string::npos) continue;
    const size_t last = line.find_last_not_of(" \t\r\f\v");
    if (!out.empty()) out += '\n';
    out.append(line, first, last - first + 1);
  }
  return out;
}

}  // namespace

Result<std::string> ReadText(std::string_view bytes, const OcrOptions& options) {
  if (options.languages.empty()) return std::string();
  auto image = DecodeGrey(bytes, options.max_pixels, options.max_edge);
  if (!image) return image.error();
  auto api = EngineFor(options.languages);
  if (!api) return api.error();
  (*api)->SetImage(reinterpret_cast<const unsigned char*>(image->pixels.data()), image->width, image->height, 1,
                   image->width);
  (*api)->SetSourceResolution(kAssumedDpi);
  std::unique_ptr<char[]> text((*api)->GetUTF8Text());
  (*api)->Clear();
  return CleanLines(text.get());
}

}  // namespace parley::media
