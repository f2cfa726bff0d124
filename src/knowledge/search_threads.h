#pragma once
// Threads that split one search's work with the thread that asked for it: the scan of a million vectors' component
// columns takes milliseconds on one core, and a question is answered sooner on all of them. Started once (by the
// vector catalog), not per search. The asking thread always works through the parts itself, so a search never
// waits on a helper busy with another one: the parts no helper claimed are its own.

#include <boost/asio/thread_pool.hpp>

#include <cstddef>
#include <functional>

namespace parley::knowledge {

class SearchThreads {
 public:
  explicit SearchThreads(size_t helpers);  //!< 0: every search runs on its own thread alone.
  ~SearchThreads();                        //!< Waits for the helpers to finish what they claimed.
  SearchThreads(const SearchThreads&) = delete;
  SearchThreads& operator=(const SearchThreads&) = delete;

  size_t helpers() const { return helpers_; }
  // Calls work(part) once for each part in [0, parts), on the calling thread and on helpers that are free, and
  // returns once every call has returned; rethrows the first exception one threw.
  void Run(size_t parts, const std::function<void(size_t)>& work);

 private:
  size_t helpers_;
  boost::asio::thread_pool pool_;
};

// How many parts to split `items` into: one per thread that can take one (the caller and `threads`' helpers), at
// most one per item, and one when there are no threads.
size_t PartsFor(const SearchThreads* threads, size_t items);
// threads->Run(parts, work), or every part on the calling thread when `threads` is null.
void RunParts(SearchThreads* threads, size_t parts, const std::function<void(size_t)>& work);

}  // namespace parley::knowledge
