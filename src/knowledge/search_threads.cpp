#include "knowledge/search_threads.h"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>

namespace parley::knowledge {

SearchThreads::SearchThreads(size_t helpers) : helpers_(helpers), pool_(std::max<size_t>(helpers, 1)) {}

SearchThreads::~SearchThreads() { pool_.join(); }

void SearchThreads::Run(size_t parts, const std::function<void(size_t)>& work) {
  // Shared with the helpers: one may start after the last part is done and Run has returned, find no part left
  // and touch nothing else.
  struct Job {
    std::atomic<size_t> next{0};
    size_t parts = 0;
    const std::function<void(size_t)>* work = nullptr;
    std::mutex mutex;
    std::condition_variable finished;
    size_t done = 0;             // GUARDED_BY(mutex)
    std::exception_ptr failure;  // GUARDED_BY(mutex)
  };
  auto job = std::make_shared<Job>();
  job->parts = parts;
  job->work = &work;
  auto drain = [job] {
    for (size_t part; (part = job->next++) < job->parts;) {
      std::exception_ptr failure;
      try {
        (*job->work)(part);
      } catch (...) {
        failure = std::current_exception();
      }
      std::lock_guard lock(job->mutex);
      if (failure && !job->failure) job->failure = failure;
      if (++job->done == job->parts) job->finished.notify_all();
    }
  };
  for (size_t helper = 0; helper < std::min(helpers_, parts > 0 ? parts - 1 : 0); ++helper) {
    boost::asio::post(pool_, drain);
  }
  drain();
  std::unique_lock lock(job->mutex);
  job->finished.wait(lock, [&job] { return job->done == job->parts; });
  if (job->failure) std::rethrow_exception(job->failure);
}

size_t PartsFor(const SearchThreads* threads, size_t items) {
  return threads ? std::clamp<size_t>(threads->helpers() + 1, 1, std::max<size_t>(items, 1)) : 1;
}

void RunParts(SearchThreads* threads, size_t parts, const std::function<void(size_t)>& work) {
  if (threads) {
    threads->Run(parts, work);
  } else {
    for (size_t part = 0; part < parts; ++part) work(part);
  }
}

}  // namespace parley::knowledge
