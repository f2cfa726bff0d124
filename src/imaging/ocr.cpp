#include "imaging/ocr.h"

#include <tesseract/baseapi.h>
#include <tesseract/ocrclass.h>
#include <time.h>

#include <memory>
#include <sstream>

namespace parley::imaging {
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

// Lines trimmed; blank ones dropped, or one kept between paragraphs.
std::string CleanLines(const char* text, bool paragraphs) {
  std::istringstream in(text == nullptr ? "" : text);
  std::string out;
  bool gap = false;
  for (std::string line; std::getline(in, line);) {
    const size_t first = line.find_first_not_of(" \t\r\f\v");
    if (first == std::string::npos) {
      gap = paragraphs;
      continue;
    }
    const size_t last = line.find_last_not_of(" \t\r\f\v");
    if (!out.empty()) out += gap ? "\n\n" : "\n";
    gap = false;
    out.append(line, first, last - first + 1);
  }
  return out;
}

}  // namespace

std::chrono::milliseconds ThreadCpuTime() {
  timespec now{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return std::chrono::milliseconds(int64_t{now.tv_sec} * 1000 + now.tv_nsec / 1'000'000);
}

Result<std::string> ReadText(std::string_view bytes, const OcrOptions& options) {
  if (options.languages.empty()) return std::string();
  auto image = DecodeGrey(bytes, options.max_pixels, options.max_edge);
  if (!image) return image.error();
  return ReadGreyText(*image, kAssumedDpi, options);
}

Result<std::string> ReadGreyText(const GreyImage& image, int dpi, const OcrOptions& options) {
  if (options.languages.empty()) return std::string();
  auto api = EngineFor(options.languages);
  if (!api) return api.error();
  (*api)->SetImage(reinterpret_cast<const unsigned char*>(image.pixels.data()), image.width, image.height, 1,
                   image.width);
  (*api)->SetSourceResolution(dpi);
  // Tesseract's own deadline is wall-clock time; its cancel callback, asked between words, reads processor time.
  struct CpuDeadline {
    std::chrono::milliseconds until;
    bool passed = false;
  } deadline{ThreadCpuTime() + options.cpu_limit};
  tesseract::ETEXT_DESC monitor;
  if (options.cpu_limit.count() > 0) {
    monitor.cancel_this = &deadline;
    monitor.cancel = [](void* self, int) {
      auto* cpu = static_cast<CpuDeadline*>(self);
      cpu->passed = cpu->passed || ThreadCpuTime() >= cpu->until;
      return cpu->passed;
    };
  }
  const int recognised = (*api)->Recognize(&monitor);
  if (deadline.passed) {
    (*api)->Clear();
    return Error{ErrorCode::kTimeout, "the text took too long to read",
                 "Tesseract stopped after " + std::to_string(options.cpu_limit.count()) + " ms of processor time"};
  }
  if (recognised != 0) {
    (*api)->Clear();
    return Error{ErrorCode::kInvalidArgument, "the text could not be read", "Tesseract's recognition failed"};
  }
  std::unique_ptr<char[]> text((*api)->GetUTF8Text());
  (*api)->Clear();
  return CleanLines(text.get(), options.paragraphs);
}

}  // namespace parley::imaging
