#include "knowledge/extract_process.h"

#include "core/json.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>
#include <new>
#include <optional>
#include <utility>

extern char** environ;

namespace parley::knowledge {
namespace {

constexpr Format kFormats[] = {Format::kText, Format::kMarkdown, Format::kHtml,
                               Format::kPdf,  Format::kDocx,     Format::kImage};
// Above the 50 MiB that Extract accepts, so that it, not the pipe, refuses a larger file with its reason.
constexpr size_t kMaxChildInput = (size_t{50} << 20) + 1;

std::optional<Format> ParseFormat(std::string_view name) {
  for (Format format : kFormats) {
    if (ToString(format) == name) return format;
  }
  return std::nullopt;
}

std::string Errno(const char* call) { return std::string(call) + ": " + std::strerror(errno); }

// An owned file descriptor.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }
  explicit operator bool() const { return fd_ >= 0; }

  // Moves the descriptor to 3 or above: a server started with a standard stream closed can be given 0, 1 or 2, and
  // dup2 onto the same number would leave it close-on-exec in the child.
  bool LeaveStdio() {
    if (fd_ > 2) return true;
    int moved = ::fcntl(fd_, F_DUPFD_CLOEXEC, 3);
    if (moved < 0) return false;
    ::close(std::exchange(fd_, moved));
    return true;
  }

 private:
  int fd_;
};

bool WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(written));
  }
  return true;
}

std::vector<std::string> ChildArguments(const ExtractCommand& command, Format format, const ExtractBudget& budget) {
  std::vector<std::string> args = command;
  auto flag = [&args](const char* name, const std::string& value) {
    args.emplace_back(name);
    args.push_back(value);
  };
  flag("--format", std::string(ToString(format)));
  flag("--max-pages", std::to_string(budget.limits.max_pages));
  flag("--max-chars", std::to_string(budget.limits.max_chars));
  flag("--ocr-languages", budget.limits.ocr_languages);
  flag("--ocr-pages", std::to_string(budget.limits.max_ocr_pages));
  flag("--ocr-ms", std::to_string(budget.limits.ocr_time.count()));
  flag("--max-pixels", std::to_string(budget.limits.max_pixels));
  flag("--cpu-seconds", std::to_string(budget.cpu_seconds));
  flag("--memory-bytes", std::to_string(budget.memory_bytes));
  return args;
}

// The child's answer: {"title": "…", "note": "…", "blocks": [[kind, level, page, "text", ["cell", …]], …]} or
// {"error": "reason"}; the cells are a table row's.
std::string Encode(const Result<ExtractedDocument>& result) {
  boost::json::object out;
  if (!result) {
    out["error"] = result.error().message;
    return SerializeJson(out);
  }
  boost::json::array blocks;
  blocks.reserve(result->blocks.size());
  for (const Block& block : result->blocks) {
    boost::json::array cells(block.cells.begin(), block.cells.end());
    blocks.push_back(
        boost::json::array{static_cast<int>(block.kind), block.level, block.page, block.text, std::move(cells)});
  }
  out["title"] = result->title;
  out["note"] = result->note;
  out["blocks"] = std::move(blocks);
  return SerializeJson(out);
}

Result<ExtractedDocument> Decode(std::string_view text) {
  const Error malformed = Error::InvalidArgument("the document could not be read");
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(text, ec);
  if (ec || !value.is_object()) return Error{malformed.code, malformed.message, "the reader's answer is not JSON"};
  const boost::json::object& object = value.get_object();
  if (const auto* error = object.if_contains("error"); error != nullptr && error->is_string()) {
    return Error::InvalidArgument(std::string(error->get_string()));
  }
  const auto* title = object.if_contains("title");
  const auto* note = object.if_contains("note");
  const auto* blocks = object.if_contains("blocks");
  if (title == nullptr || !title->is_string() || note == nullptr || !note->is_string() || blocks == nullptr ||
      !blocks->is_array()) {
    return Error{malformed.code, malformed.message, "the reader's answer has no title, note or blocks"};
  }
  ExtractedDocument document;
  document.title = std::string(title->get_string());
  document.note = std::string(note->get_string());
  document.blocks.reserve(blocks->get_array().size());
  for (const auto& entry : blocks->get_array()) {
    const auto* fields = entry.if_array();
    if (fields == nullptr || fields->size() != 5 || !(*fields)[0].is_int64() || !(*fields)[1].is_int64() ||
        !(*fields)[2].is_int64() || !(*fields)[3].is_string() || !(*fields)[4].is_array()) {
      return Error{malformed.code, malformed.message, "the reader's answer has a malformed block"};
    }
    int64_t kind = (*fields)[0].get_int64();
    if (kind < static_cast<int>(Block::Kind::kHeading) || kind > static_cast<int>(Block::Kind::kTableHeader)) {
      return Error{malformed.code, malformed.message, "the reader's answer has an unknown block kind"};
    }
    std::vector<std::string> cells;
    for (const auto& cell : (*fields)[4].get_array()) {
      if (!cell.is_string())
        return Error{malformed.code, malformed.message, "the reader's answer has a malformed cell"};
      cells.emplace_back(cell.get_string());
    }
    document.blocks.push_back({.kind = static_cast<Block::Kind>(kind),
                               .level = static_cast<int>((*fields)[1].get_int64()),
                               .text = std::string((*fields)[3].get_string()),
                               .page = static_cast<int>((*fields)[2].get_int64()),
                               .cells = std::move(cells)});
  }
  return document;
}

// This process's environment, but Tesseract's OpenMP held to one thread: a document's OCR takes one core of the
// machine, like every other reader, and its processor time is the budget's alone (libgomp reads the variable as the
// child loads, so it must be in the environment the child starts with). Null-terminated; points into `environ`.
std::vector<char*> ChildEnvironment() {
  static char kOneThread[] = "OMP_THREAD_LIMIT=1";
  std::vector<char*> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (!std::string_view(*entry).starts_with("OMP_THREAD_LIMIT=")) env.push_back(*entry);
  }
  env.push_back(kOneThread);
  env.push_back(nullptr);
  return env;
}

struct Child {
  pid_t pid = -1;
  int pidfd = -1;
  int output = -1;  //!< Read end of the child's standard output.
};

// Starts the child with the document as its standard input (an in-memory file), its standard output a pipe and
// its standard error discarded; every other descriptor of this process is closed in it. Blocking (the document
// is copied): call on the pool.
Result<Child> Spawn(const std::vector<std::string>& args, std::string_view bytes) {
  auto failed = [](const char* call) { return Error::Unavailable("the document could not be read now", Errno(call)); };
  Fd input(::memfd_create("parley-extract", MFD_CLOEXEC));
  if (!input || !input.LeaveStdio()) return failed("memfd_create");
  if (!WriteAll(input.get(), bytes) || ::lseek(input.get(), 0, SEEK_SET) != 0) return failed("write");
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return failed("pipe2");
  Fd output(pipe_fds[0]);
  Fd output_write(pipe_fds[1]);
  if (!output.LeaveStdio() || !output_write.LeaveStdio()) return failed("fcntl");

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, input.get(), 0);
  posix_spawn_file_actions_adddup2(&actions, output_write.get(), 1);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  // The child starts with no signal blocked and the default action for those that end it, whatever this process
  // set; in its own process group, so that a terminal's Ctrl-C reaches the server, which then stops it.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attributes, &none);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int signal : {SIGXCPU, SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGSEGV, SIGBUS, SIGABRT}) sigaddset(&defaults, signal);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setpgroup(&attributes, 0);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);

  std::vector<char*> argv;
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> env = ChildEnvironment();
  pid_t pid = -1;
  int spawned = ::posix_spawn(&pid, argv[0], &actions, &attributes, argv.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (spawned != 0) {
    errno = spawned;
    return failed("posix_spawn");
  }
  // Through syscall(): glibc 2.36's <sys/pidfd.h> declares pidfd_open without C linkage.
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) {
    Error error = failed("pidfd_open");
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return error;
  }
  return Child{pid, pidfd, output.release()};
}

// The child as the parent sees it, shared with the deadline's handler. Used on the awaiting coroutine's executor
// only. Until it is reaped, its pid (and its process group's id, the same number) cannot name another process, so
// signalling it is safe. The whole group is killed: anything the child started would hold its output open.
struct ChildState {
  pid_t pid = -1;
  bool reaped = false;
  bool timed_out = false;

  void Kill() const {
    if (!reaped) ::kill(-pid, SIGKILL);
  }
  // Destroyed early (the coroutine was): the child is stopped and reaped, not left behind.
  ~ChildState() {
    if (reaped) return;
    ::kill(-pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
};

std::string Seconds(int64_t ms) { return std::to_string((ms + 999) / 1000); }

}  // namespace

bool ReadsInChild(Format format) {
  return format == Format::kPdf || format == Format::kDocx || format == Format::kHtml || format == Format::kImage;
}

boost::asio::awaitable<Result<ExtractedDocument>> ExtractInChild(const ExtractCommand& command, Format format,
                                                                 std::string_view bytes, const ExtractBudget& budget,
                                                                 BlockingPool& pool) {
  constexpr auto kNoThrow = boost::asio::as_tuple(boost::asio::use_awaitable);
  std::vector<std::string> args = ChildArguments(command, format, budget);
  auto spawn = [&] { return Spawn(args, bytes); };
  Result<Child> child = co_await pool.Run(spawn);
  if (!child) co_return child.error();

  auto executor = co_await boost::asio::this_coro::executor;
  auto state = std::make_shared<ChildState>();
  state->pid = child->pid;
  boost::asio::posix::stream_descriptor output(executor, child->output);
  boost::asio::posix::stream_descriptor exited(executor, child->pidfd);
  boost::asio::steady_timer deadline(executor, budget.deadline);
  deadline.async_wait([state](boost::system::error_code ec) {
    if (ec) return;
    state->timed_out = true;
    state->Kill();
  });

  // Each character is at most 4 bytes of JSON and each block (at least one character) adds at most 28: anything
  // longer is not the child's answer within its limits.
  const size_t max_output = static_cast<size_t>(budget.limits.max_chars) * 32 + (size_t{64} << 10);
  std::string answer;
  bool overflow = false;
  std::array<char, 64 * 1024> buffer;
  while (true) {
    auto [ec, n] = co_await output.async_read_some(boost::asio::buffer(buffer), kNoThrow);
    answer.append(buffer.data(), n);
    if (ec) break;  // End of file: the child is done writing (or gone).
    if (answer.size() > max_output) {
      overflow = true;
      state->Kill();
      break;
    }
  }
  output.close();
  co_await exited.async_wait(boost::asio::posix::descriptor_base::wait_read, kNoThrow);
  int status = 0;
  rusage usage{};
  ::wait4(state->pid, &status, 0, &usage);  // It has exited: this does not block.
  state->reaped = true;
  deadline.cancel();

  int64_t cpu_ms =
      (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000 + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000;
  std::string detail = "reader " + std::to_string(state->pid) + " used " + std::to_string(cpu_ms) + " ms of CPU; ";
  if (overflow) {
    co_return Error{ErrorCode::kInvalidArgument,
                    "the document has more than " + std::to_string(budget.limits.max_chars) + " characters of text",
                    detail + "its answer passed " + std::to_string(max_output) + " bytes"};
  }
  if (state->timed_out) {
    co_return Error{ErrorCode::kInvalidArgument,
                    "the document took longer than " + Seconds(budget.deadline.count()) + " s to read",
                    detail + "killed at the deadline"};
  }
  if (WIFSIGNALED(status)) {
    int signal = WTERMSIG(status);
    detail += "stopped by signal " + std::to_string(signal);
    // SIGXCPU at the soft limit; SIGKILL at the hard one, a second later, if it went on.
    if (signal == SIGXCPU || (signal == SIGKILL && cpu_ms >= int64_t{budget.cpu_seconds} * 1000)) {
      co_return Error{
          ErrorCode::kInvalidArgument,
          "the document took more than " + std::to_string(budget.cpu_seconds) + " s of processor time to read", detail};
    }
    co_return Error{ErrorCode::kInvalidArgument, "the document could not be read", detail};
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    co_return Error{ErrorCode::kInvalidArgument, "the document could not be read",
                    detail + "exit status " + std::to_string(WEXITSTATUS(status))};
  }
  auto decode = [&answer] { return Decode(answer); };
  co_return co_await pool.Run(decode);
}

int ExtractChildMain(int argc, char** argv) {
  std::optional<Format> format;
  ExtractLimits limits;
  int64_t cpu_seconds = 0;
  int64_t memory_bytes = 0;
  if (argc % 2 != 0) return 2;
  for (int i = 0; i < argc; i += 2) {
    std::string_view flag = argv[i];
    std::string_view value = argv[i + 1];
    if (flag == "--format") {
      format = ParseFormat(value);
      continue;
    }
    if (flag == "--ocr-languages") {
      limits.ocr_languages = std::string(value);
      continue;
    }
    int64_t number = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
    if (ec != std::errc() || end != value.data() + value.size() || number < 0) return 2;
    if (flag == "--max-pages") {
      limits.max_pages = static_cast<int>(number);
    } else if (flag == "--max-chars") {
      limits.max_chars = number;
    } else if (flag == "--ocr-pages") {
      limits.max_ocr_pages = static_cast<int>(number);
    } else if (flag == "--ocr-ms") {
      limits.ocr_time = std::chrono::milliseconds(number);
    } else if (flag == "--max-pixels") {
      limits.max_pixels = number;
    } else if (flag == "--cpu-seconds") {
      cpu_seconds = number;
    } else if (flag == "--memory-bytes") {
      memory_bytes = number;
    } else {
      return 2;
    }
  }
  if (!format) return 2;

  // Limits first, before a byte of the untrusted document is read.
  rlimit no_core{0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);
  if (cpu_seconds > 0) {
    rlimit cpu{static_cast<rlim_t>(cpu_seconds), static_cast<rlim_t>(cpu_seconds + 1)};
    if (::setrlimit(RLIMIT_CPU, &cpu) != 0) return 1;
  }
  if (memory_bytes > 0) {
    rlimit memory{static_cast<rlim_t>(memory_bytes), static_cast<rlim_t>(memory_bytes)};
    if (::setrlimit(RLIMIT_AS, &memory) != 0) return 1;
  }

  std::string bytes;
  std::array<char, 64 * 1024> buffer;
  while (bytes.size() < kMaxChildInput) {
    ssize_t n = ::read(0, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return 1;
    if (n == 0) break;
    bytes.append(buffer.data(), static_cast<size_t>(n));
  }
  Result<ExtractedDocument> result = Error::InvalidArgument("the document could not be read");
  try {
    result = Extract(*format, bytes, limits);
  } catch (const std::bad_alloc&) {
    result = Error::InvalidArgument("the document needs more than " + std::to_string(memory_bytes >> 20) +
                                    " MiB of memory to read");
  }
  return WriteAll(1, Encode(result)) ? 0 : 1;
}

}  // namespace parley::knowledge
