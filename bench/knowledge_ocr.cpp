// Issue 20 §4: what reading a scanned document costs. A page of body text (600 words, DejaVu Sans 14 pt) is drawn as
// a 300 dpi greyscale JPEG, the way a scanner saves it; a PDF of `--pages` such pages, and the page alone as an image
// document, go through knowledge::Extract as the `parley extract` child reads them (each scanned page rendered at
// 200 dpi and read by Tesseract). Prints, per language setting, the wall-clock and processor time per page and
// whether every word was read. Run it with OMP_THREAD_LIMIT=1, as the child runs (bench/run.sh does not run it).

#include "knowledge/extract.h"
#include "support/pdf_builder.h"
#include "support/test_images.h"

#include <CLI/CLI.hpp>

#include <time.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace {

using parley::knowledge::ExtractedDocument;

double ProcessCpuMs() {
  timespec now{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1000.0 + static_cast<double>(now.tv_nsec) / 1e6;
}

// How many of `text`'s words the document has, in order.
int WordsReadInOrder(const std::string& text, const ExtractedDocument& document, int* total) {
  std::string read;
  for (const auto& block : document.blocks) read += block.text + " ";
  int found = 0;
  size_t at = 0;
  *total = 0;
  for (size_t i = 0; i < text.size();) {
    size_t end = text.find_first_of(" \n", i);
    if (end == std::string::npos) end = text.size();
    if (end > i) {
      ++*total;
      if (size_t hit = read.find(text.substr(i, end - i), at); hit != std::string::npos) {
        ++found;
        at = hit;
      }
    }
    i = end + 1;
  }
  return found;
}

}  // namespace

int main(int argc, char** argv) {
  int pages = 4;
  CLI::App cli{"Knowledge OCR: processor and wall-clock time per scanned page"};
  cli.add_option("--pages", pages, "Scanned pages in the PDF")->check(CLI::Range(1, 100));
  CLI11_PARSE(cli, argc, argv);

  std::mt19937 random(1);
  const char* words[] = {"the",     "bakery", "opens", "at",         "seven",     "every",  "morning",
                         "and",     "closes", "six",   "cakes",      "delivered", "within", "twelve",
                         "refunds", "thirty", "days",  "kilometres", "wedding",   "order"};
  std::string text;
  for (int line = 0; line < 50; ++line) {
    for (int word = 0; word < 12; ++word) text += std::string(words[random() % std::size(words)]) + " ";
    text += line % 8 == 7 ? "\n\n" : "\n";
  }
  parley::testing::ScannedPage page{.jpeg = parley::media::testing::TextJpeg(text, 300), .dpi = 300};
  std::tie(page.width, page.height) = parley::media::testing::SizeOf(page.jpeg);
  const std::string pdf = parley::testing::ScannedPdf(std::vector(static_cast<size_t>(pages), page));
  std::printf("page: %d x %d px at 300 dpi, %zu KB as JPEG; PDF of %d pages: %zu KB\n", page.width, page.height,
              page.jpeg.size() >> 10, pages, pdf.size() >> 10);

  for (const char* languages : {"eng", "eng+fra+deu+spa"}) {
    parley::knowledge::ExtractLimits limits{
        .ocr_languages = languages, .max_ocr_pages = pages, .ocr_time = std::chrono::minutes(10)};
    // Tesseract loads its languages once per thread: not part of a page's cost.
    (void)parley::knowledge::Extract(parley::knowledge::Format::kImage, parley::media::testing::TextPng("warm"),
                                     limits);
    for (auto [name, format, bytes, count] :
         {std::tuple{"PDF", parley::knowledge::Format::kPdf, &pdf, pages},
          std::tuple{"image", parley::knowledge::Format::kImage, &std::as_const(page.jpeg), 1}}) {
      const auto started = std::chrono::steady_clock::now();
      const double cpu = ProcessCpuMs();
      auto document = parley::knowledge::Extract(format, *bytes, limits);
      const double wall_ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
      const double cpu_ms = ProcessCpuMs() - cpu;
      if (!document) {
        std::printf("%-16s %-5s failed: %s\n", languages, name, document.error().message.c_str());
        continue;
      }
      int total = 0;
      const int found = WordsReadInOrder(text, *document, &total);
      // Every page is the same text: the words of the first one found in order say how well a page is read.
      std::printf("%-16s %-5s %6.0f ms wall, %6.0f ms CPU per page; words read in order %d/%d%s%s\n", languages, name,
                  wall_ms / count, cpu_ms / count, found, total, document->note.empty() ? "" : "; ",
                  document->note.c_str());
    }
  }
  return 0;
}
