#pragma once
// Documents read outside the knowledge bases, as knowledge documents are: a PDF a customer sends in a chat is read by
// the same extraction (knowledge/extract_process.h, in the `parley extract` child) within the same budget, so a file
// built to stall poppler costs a chat no more than an upload.

#include "core/blocking_pool.h"
#include "core/config.h"
#include "core/error.h"
#include "knowledge/extract_process.h"

#include <boost/asio/awaitable.hpp>

#include <string>
#include <string_view>

namespace parley::knowledge {

// The server's own binary's `parley extract`, the child that reads documents.
ExtractCommand ServerExtractCommand();

// What reading one document may cost, from the server's settings (PARLEY_DOCUMENT_MAX_PAGES, _MAX_CHARS,
// _CPU_SECONDS, _MEMORY_MB, _OCR_PAGES, _OCR_SECONDS; PARLEY_OCR_LANGUAGES and PARLEY_MEDIA_MAX_PIXELS for text
// recognition): the child is killed after twice its processor time plus 10 s (a machine too busy to
// give it its seconds is not the document's fault).
ExtractBudget DocumentBudget(const Config& config);

// The text of `bytes` in `format`, read by ExtractInChild (same failures): its title, then its blocks, one per line.
// `bytes` must stay valid until completion.
boost::asio::awaitable<Result<std::string>> ExtractText(const ExtractCommand& command, Format format,
                                                        std::string_view bytes, const ExtractBudget& budget,
                                                        BlockingPool& pool);

}  // namespace parley::knowledge
