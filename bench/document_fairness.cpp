// Document processing between tenants (issue 15, item 5): one tenant queues PDFs built to keep poppler busy,
// another then queues a small page; how long until the small page is ready, and what becomes of the PDFs.
// First, how long poppler takes on one such PDF without a budget (what a worker spent on it before documents had
// one): `parley extract` with no processor-time limit, its CPU time from wait4.
//
//   bench_document_fairness [--slow-words 35000] [--slow-pdfs 3] [--cpu-seconds 30]
//
// The server runs with its defaults apart from PARLEY_DOCUMENT_CPU_SECONDS; everything is on loopback.

#include "integration/harness.h"
#include "support/pdf_builder.h"

#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

using namespace parley::testing;
using Clock = std::chrono::steady_clock;
namespace json = boost::json;

namespace {

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// Runs `parley extract` on `path` without a processor-time or memory limit; prints its wall and CPU time.
void TimeUnboundedExtraction(const std::string& path) {
  auto started = Clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    int input = open(path.c_str(), O_RDONLY);
    int null = open("/dev/null", O_WRONLY);
    dup2(input, 0);
    dup2(null, 1);
    execl(PARLEY_BINARY, PARLEY_BINARY, "extract", "--format", "pdf", "--max-pages", "1000000", "--max-chars",
          "1000000000", "--cpu-seconds", "0", "--memory-bytes", "0", static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  double cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
               static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  std::printf("unbounded extraction of one slow PDF: %.1f s wall, %.1f s CPU, exit %d\n",
              Seconds(Clock::now() - started), cpu, WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status));
}

}  // namespace

int main(int argc, char** argv) {
  int slow_words = 35000;
  int slow_pdfs = 3;
  int cpu_seconds = 30;
  CLI::App cli{"Another tenant's document behind a queue of slow PDFs"};
  cli.add_option("--slow-words", slow_words, "Scattered words on the slow PDFs' page (time grows with its square)");
  cli.add_option("--slow-pdfs", slow_pdfs, "Slow PDFs the first tenant queues");
  cli.add_option("--cpu-seconds", cpu_seconds, "PARLEY_DOCUMENT_CPU_SECONDS");
  CLI11_PARSE(cli, argc, argv);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // Each figure as soon as it is measured.

  ParleyProcess parley({{"PARLEY_DOCUMENT_CPU_SECONDS", std::to_string(cpu_seconds)}, {"PARLEY_LOG_LEVEL", "warn"}});
  std::string slow = SlowPdf(slow_words);
  std::string path = parley.data_dir() + "/slow.pdf";
  std::ofstream(path, std::ios::binary) << slow;
  std::printf("slow PDF: %d words on one page, %zu bytes\n", slow_words, slow.size());
  TimeUnboundedExtraction(path);

  auto api_key = [&](const std::string& name) {
    return std::string(json::parse(parley.Cli({"tenant", "create", "--name", name}).out).at("api_key").as_string());
  };
  std::string acme = api_key("Acme");
  std::string globex = api_key("Globex");
  parley.Start();

  auto upload = [&](const std::string& key, const std::string& name, const std::string& content) -> int64_t {
    std::string body = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name +
                       "\"\r\nContent-Type: application/octet-stream\r\n\r\n" + content + "\r\n--b--\r\n";
    auto r = Call("POST", parley.url("/api/knowledge-documents"), body,
                  {{"Authorization", "Bearer " + key}, {"Content-Type", "multipart/form-data; boundary=b"}});
    if (r.status != 202) {
      std::cerr << "upload failed: " << r.status << " " << r.body << "\n";
      std::exit(1);
    }
    return r.Json().at("id").to_number<int64_t>();
  };
  auto document = [&](const std::string& key, int64_t id) {
    return Call("GET", parley.url("/api/knowledge-documents/" + std::to_string(id)), {},
                {{"Authorization", "Bearer " + key}})
        .Json()
        .as_object();
  };
  auto settled = [&](const json::object& d) { return d.at("status") == "ready" || d.at("status") == "failed"; };

  auto started = Clock::now();
  std::vector<int64_t> slow_ids;
  for (int i = 0; i < slow_pdfs; ++i) slow_ids.push_back(upload(acme, "scan" + std::to_string(i) + ".pdf", slow));
  auto small_queued = Clock::now();
  int64_t small = upload(globex, "hours.md", "# Opening hours\n\nWe are open every day from 8:00 to 18:00.\n");
  Eventually([&] { return settled(document(globex, small)); }, std::chrono::minutes(30));
  auto small_done = Clock::now();
  json::object small_doc = document(globex, small);
  std::printf("other tenant's small document: %s %.3f s after it was queued\n",
              std::string(small_doc.at("status").as_string()).c_str(), Seconds(small_done - small_queued));

  // Each slow PDF's outcome, timed from the first upload to when it was first seen settled (polled every 100 ms).
  std::vector<bool> reported(slow_ids.size(), false);
  size_t left = slow_ids.size();
  while (left > 0 && Clock::now() - started < std::chrono::minutes(30)) {
    for (size_t i = 0; i < slow_ids.size(); ++i) {
      if (reported[i]) continue;
      json::object d = document(acme, slow_ids[i]);
      if (!settled(d)) continue;
      reported[i] = true;
      --left;
      const auto* error = d.if_contains("error");
      std::printf("slow PDF %zu: %s at %.1f s%s\n", i + 1, std::string(d.at("status").as_string()).c_str(),
                  Seconds(Clock::now() - started),
                  error != nullptr && error->is_string() && !error->as_string().empty()
                      ? (" (" + std::string(error->as_string()) + ")").c_str()
                      : "");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return left == 0 ? 0 : 1;
}
