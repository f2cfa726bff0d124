// Reading documents in a child process: the same blocks as in this process, the limits with their reasons, and a
// runaway extraction stopped by its processor-time limit or its deadline, the child reaped either way.

#include "knowledge/extract_process.h"

#include "core/blocking_pool.h"
#include "support/pdf_builder.h"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace parley::knowledge {
namespace {

std::string ReadFixture(const std::string& name) {
  std::ifstream file(PARLEY_TEST_DATA_DIR "/knowledge/" + name, std::ios::binary);
  EXPECT_TRUE(file) << name;
  std::ostringstream bytes;
  bytes << file.rdbuf();
  return bytes.str();
}

// Whether this process has a child left, exited or not.
bool HasChildren() {
  siginfo_t info{};
  return ::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) == 0;
}

class ExtractProcessTest : public ::testing::Test {
 protected:
  Result<ExtractedDocument> Run(Format format, const std::string& bytes, const ExtractBudget& budget,
                                const ExtractCommand& command = {PARLEY_EXTRACT_CHILD}) {
    boost::asio::io_context io;
    std::optional<Result<ExtractedDocument>> result;
    boost::asio::co_spawn(io, ExtractInChild(command, format, bytes, budget, pool_),
                          [&](std::exception_ptr e, Result<ExtractedDocument> r) {
                            if (e) std::rethrow_exception(e);
                            result = std::move(r);
                          });
    io.run();
    EXPECT_FALSE(HasChildren()) << "the child was not reaped";
    return std::move(result).value();
  }

  static std::string ErrorOf(const Result<ExtractedDocument>& result) {
    EXPECT_FALSE(result);
    return result ? std::string() : result.error().message;
  }

  BlockingPool pool_{2};
};

TEST_F(ExtractProcessTest, ReadsTheSameBlocksAsThisProcess) {
  for (const auto& [format, file] : {std::pair{Format::kPdf, "sample.pdf"}, std::pair{Format::kDocx, "sample.docx"},
                                     std::pair{Format::kHtml, "sample.html"}}) {
    std::string bytes = ReadFixture(file);
    auto here = Extract(format, bytes);
    auto there = Run(format, bytes, ExtractBudget{});
    ASSERT_TRUE(here && there) << file;
    EXPECT_EQ(there->title, here->title) << file;
    ASSERT_EQ(there->blocks.size(), here->blocks.size()) << file;
    for (size_t i = 0; i < here->blocks.size(); ++i) {
      EXPECT_EQ(there->blocks[i].kind, here->blocks[i].kind);
      EXPECT_EQ(there->blocks[i].level, here->blocks[i].level);
      EXPECT_EQ(there->blocks[i].page, here->blocks[i].page);
      EXPECT_EQ(there->blocks[i].text, here->blocks[i].text);
    }
  }
}

TEST_F(ExtractProcessTest, TheReaderReasonsReachTheCaller) {
  ExtractBudget budget;
  budget.limits.max_pages = 2;
  EXPECT_EQ(ErrorOf(Run(Format::kPdf, testing::TextPdf(3), budget)), "the PDF has more than 2 pages");
  budget.limits = {.max_chars = 1000};
  EXPECT_EQ(ErrorOf(Run(Format::kHtml, "<p>" + std::string(1001, 'x') + "</p>", budget)),
            "the document has more than 1000 characters of text");
  EXPECT_EQ(ErrorOf(Run(Format::kPdf, ReadFixture("encrypted.pdf"), budget)), "PDF is password-protected");
}

TEST_F(ExtractProcessTest, ARunawayPdfIsStoppedAtItsProcessorTime) {
  // About 17 s of processor time to read without a limit.
  std::string pdf = testing::SlowPdf(20000);
  ExtractBudget budget;
  budget.cpu_seconds = 1;
  auto started = std::chrono::steady_clock::now();
  auto result = Run(Format::kPdf, pdf, budget);
  EXPECT_EQ(ErrorOf(result), "the document took more than 1 s of processor time to read");
  EXPECT_NE(result.error().detail.find("signal"), std::string::npos) << result.error().detail;
  // Wall-clock time is the machine's business (it may be busy); well under the 17 s, in any case.
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
}

TEST_F(ExtractProcessTest, AChildThatDoesNotAnswerIsKilledAtTheDeadline) {
  // A reader that waits instead of computing: its processor-time limit never comes, its deadline does. The shell
  // leaves a grandchild holding the output pipe, which the kill reaches too (the child's process group).
  ExtractBudget budget;
  budget.deadline = std::chrono::milliseconds(300);
  auto started = std::chrono::steady_clock::now();
  auto result = Run(Format::kPdf, "%PDF-1.4", budget, {"/bin/sh", "-c", "sleep 30; true", "sh"});
  EXPECT_EQ(ErrorOf(result), "the document took longer than 1 s to read");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
}

TEST_F(ExtractProcessTest, AChildThatCannotStartIsUnavailableNotTheDocumentsFault) {
  auto result = Run(Format::kPdf, "%PDF-1.4", ExtractBudget{}, {"/nonexistent/parley", "extract"});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
}

TEST_F(ExtractProcessTest, AChildThatCrashesFailsTheDocumentWithoutDetailsForTheTenant) {
  auto result = Run(Format::kPdf, "%PDF-1.4", ExtractBudget{}, {"/bin/sh", "-c", "kill -SEGV $$", "sh"});
  EXPECT_EQ(ErrorOf(result), "the document could not be read");
  EXPECT_NE(result.error().detail.find("signal 11"), std::string::npos) << result.error().detail;
}

TEST(ExtractChildTest, RefusesFlagsItDoesNotKnow) {
  char format[] = "--format", pdf[] = "pdf", bogus[] = "--bogus", one[] = "1";
  char* unknown[] = {format, pdf, bogus, one};
  EXPECT_EQ(ExtractChildMain(4, unknown), 2);
  char* odd[] = {format};
  EXPECT_EQ(ExtractChildMain(1, odd), 2);
}

}  // namespace
}  // namespace parley::knowledge
