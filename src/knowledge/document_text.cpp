#include "knowledge/document_text.h"

namespace parley::knowledge {

ExtractCommand ServerExtractCommand() { return {"/proc/self/exe", "extract"}; }

ExtractBudget DocumentBudget(const Config& config) {
  ExtractBudget budget;
  budget.limits.max_pages = static_cast<int>(config.document_max_pages);
  budget.limits.max_chars = config.document_max_chars;
  budget.cpu_seconds = static_cast<int>(config.document_cpu_seconds);
  budget.memory_bytes = config.document_memory_mb << 20;
  budget.limits.ocr_languages = config.ocr_languages;
  budget.limits.max_ocr_pages = static_cast<int>(config.document_ocr_pages);
  budget.limits.ocr_time = std::chrono::seconds(config.document_ocr_seconds);
  budget.limits.max_pixels = config.media_max_pixels;
  budget.deadline = std::chrono::seconds(2 * config.document_cpu_seconds + 10);
  return budget;
}

boost::asio::awaitable<Result<std::string>> ExtractText(const ExtractCommand& command, Format format,
                                                        std::string_view bytes, const ExtractBudget& budget,
                                                        BlockingPool& pool) {
  Result<ExtractedDocument> document = co_await ExtractInChild(command, format, bytes, budget, pool);
  if (!document) co_return document.error();
  std::string text = document->title;
  for (const Block& block : document->blocks) {
    if (!text.empty()) text += '\n';
    text += block.text;
  }
  co_return text;
}

}  // namespace parley::knowledge
