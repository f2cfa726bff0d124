#pragma once
// Reading a document where it can be stopped. poppler (and, less often, libxml2, libvips or Tesseract) can spend
// minutes of processor time on a file built for it, and a thread cannot be stopped from outside: so the ingestor
// reads PDF, DOCX, HTML and images in a child process of its own binary (`parley extract`), with resource limits that
// the kernel enforces and a wall-clock deadline after which the child is killed. Text and Markdown are read in linear
// time and stay in the server's process. The document goes to the child's standard input through an in-memory file; the
// extracted blocks come back on its standard output as one JSON object.

#include "core/blocking_pool.h"
#include "core/error.h"
#include "knowledge/extract.h"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace parley::knowledge {

// What reading one document may cost.
struct ExtractBudget {
  ExtractLimits limits;                        //!< Pages and characters, checked by the reader as it goes.
  int cpu_seconds = 30;                        //!< Processor time of the child (RLIMIT_CPU).
  int64_t memory_bytes = int64_t{1} << 30;     //!< Address space of the child (RLIMIT_AS).
  std::chrono::milliseconds deadline{70'000};  //!< Wall-clock time after which the child is killed.
};

// The program and leading arguments that start the child, e.g. {"/proc/self/exe", "extract"}; the budget and the
// format are appended as flags. Empty: read in this process.
using ExtractCommand = std::vector<std::string>;

// Whether `format` is read in a child process (PDF, DOCX, HTML, images) rather than in this process.
bool ReadsInChild(Format format);

// Starts `command` as a child process that reads `bytes` in `format` within `budget`, and completes with what it
// extracted. The awaiting coroutine's executor is never blocked: the child is started on `pool` and awaited
// through its pidfd and its output pipe; no thread waits for it. `bytes` must stay valid until completion.
// kInvalidArgument with a reason the document's owner sees when the document is over a limit, unreadable, or
// stops the child ("the document took more than 30 s of processor time to read", "the document took longer than
// 70 s to read", "the document could not be read"); kUnavailable when the child could not be started. The detail
// names the child's exit status. Destroying the coroutine early (shutdown) kills and reaps the child.
boost::asio::awaitable<Result<ExtractedDocument>> ExtractInChild(const ExtractCommand& command, Format format,
                                                                 std::string_view bytes, const ExtractBudget& budget,
                                                                 BlockingPool& pool);

// The child's side, `parley extract FLAGS` (`argv` starts after "extract"): limits its own processor time, address
// space and core size, reads the document from standard input, and writes the result (the document, or the
// reason it could not be read) to standard output. Returns the process's exit code: 0 when a result was written,
// 2 for flags it does not understand.
int ExtractChildMain(int argc, char** argv);

}  // namespace parley::knowledge
