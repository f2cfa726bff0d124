#include "integration/harness.h"

#include "core/crypto.h"
#include "http/client.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <functional>
#include <mutex>
#include <stdexcept>

extern char** environ;

namespace parley::testing {
namespace {

std::vector<std::string> EnvStrings(const std::map<std::string, std::string>& env) {
  std::vector<std::string> out;
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

// posix_spawn with the given environment; stdout/stderr go to the given fds (or stay inherited when -1).
int Spawn(const std::vector<std::string>& args, const std::map<std::string, std::string>& env, int out_fd, int err_fd) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  auto env_strings = EnvStrings(env);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  int devnull = ::open("/dev/null", O_RDONLY);
  posix_spawn_file_actions_adddup2(&actions, devnull, 0);
  if (out_fd >= 0) posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  if (err_fd >= 0) posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, args[0].c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(devnull);
  if (rc != 0) throw std::runtime_error(std::string("posix_spawn failed: ") + std::strerror(rc));
  return pid;
}

int WaitExit(int pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

std::string ReadAll(int fd) {
  std::string out;
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0) out.append(buffer, static_cast<size_t>(n));
  return out;
}

}  // namespace

boost::json::value HttpResult::Json() const {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec) throw std::runtime_error("not JSON: " + body);
  return v;
}

HttpResult Call(const std::string& method, const std::string& url, const std::string& body,
                const std::vector<std::pair<std::string, std::string>>& headers) {
  boost::asio::io_context io;
  http::ClientOptions options;
  options.max_attempts = 1;
  http::Client client(io.get_executor(), options);
  HttpResult result;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        http::ClientRequest request;
        request.method = method;
        request.url = url;
        request.headers = headers;
        request.body = body;
        auto response = co_await client.Send(std::move(request));
        client.Shutdown();
        if (!response) {
          result.status = 0;
          result.body = response.error().message + " " + response.error().detail;
          co_return;
        }
        result.status = response->status;
        result.body = response->body;
        result.headers = response->headers;
      },
      [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
  io.run();
  return result;
}

std::string Sign(const std::string& secret, const std::string& body) {
  return "sha256=" + crypto::HmacSha256Hex(secret, body);
}

bool Eventually(const std::function<bool()>& predicate, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return predicate();
}

ParleyProcess::ParleyProcess(std::map<std::string, std::string> env)
    : env_(std::move(env)), log_(std::make_shared<std::string>()), log_mutex_(std::make_shared<std::mutex>()) {
  static std::atomic<int> counter{0};
  data_dir_ = (std::filesystem::temp_directory_path() /
               ("parley-it-" + std::to_string(::getpid()) + "-" + std::to_string(counter++)))
                  .string();
  std::filesystem::remove_all(data_dir_);
  std::filesystem::create_directories(data_dir_);
  env_.try_emplace("PATH", "/usr/bin:/bin");
  env_["PARLEY_DATA_DIR"] = data_dir_;
  env_.try_emplace("PARLEY_LISTEN", "127.0.0.1:0");
  env_.try_emplace("PARLEY_LOG_LEVEL", "info");
}

ParleyProcess::~ParleyProcess() {
  if (pid_ > 0) Kill9();
  std::filesystem::remove_all(data_dir_);
}

CliResult ParleyProcess::Cli(const std::vector<std::string>& args) const {
  std::vector<std::string> argv{PARLEY_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
  // Standard error goes to an unlinked file, not a second pipe: a command that logs much while its standard output
  // is read would otherwise block on a full pipe.
  char err_path[] = "/tmp/parley-cli-stderr-XXXXXX";
  int err_fd = ::mkstemp(err_path);
  if (err_fd < 0) throw std::runtime_error("mkstemp failed");
  ::unlink(err_path);
  int pid = Spawn(argv, env_, pipe_fds[1], err_fd);
  ::close(pipe_fds[1]);
  CliResult result;
  result.out = ReadAll(pipe_fds[0]);
  ::close(pipe_fds[0]);
  result.exit_code = WaitExit(pid);
  ::lseek(err_fd, 0, SEEK_SET);
  result.err = ReadAll(err_fd);
  ::close(err_fd);
  return result;
}

void ParleyProcess::Start() {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
  pid_ = Spawn({PARLEY_BINARY, "serve"}, env_, -1, pipe_fds[1]);
  ::close(pipe_fds[1]);
  stderr_fd_ = pipe_fds[0];
  // Read log lines until "listening" gives the port; keep draining afterwards so the child never blocks.
  std::string buffer;
  char chunk[4096];
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (port_ == 0 && std::chrono::steady_clock::now() < deadline) {
    ssize_t n = ::read(stderr_fd_, chunk, sizeof chunk);
    if (n <= 0) break;
    buffer.append(chunk, static_cast<size_t>(n));
    size_t pos;
    while ((pos = buffer.find('\n')) != std::string::npos) {
      std::string line = buffer.substr(0, pos);
      buffer.erase(0, pos + 1);
      {
        std::lock_guard lock(*log_mutex_);
        *log_ += line + "\n";
      }
      if (line.find("\"event\":\"listening\"") != std::string::npos) {
        auto v = boost::json::parse(line);
        port_ = static_cast<int>(v.at("port").to_number<int64_t>());
        if (const auto* admin = v.as_object().if_contains("admin_port")) {
          admin_port_ = static_cast<int>(admin->to_number<int64_t>());
        }
      }
    }
  }
  if (port_ == 0) throw std::runtime_error("parley serve did not start:\n" + logs() + buffer);
  reader_ = std::thread([fd = stderr_fd_, log = log_, mutex = log_mutex_, rest = buffer] {
    {
      std::lock_guard lock(*mutex);
      *log += rest;
    }
    char chunk[4096];
    ssize_t n;
    while ((n = ::read(fd, chunk, sizeof chunk)) > 0) {
      std::lock_guard lock(*mutex);
      log->append(chunk, static_cast<size_t>(n));
    }
  });
}

void ParleyProcess::Kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  WaitExit(pid_);
  pid_ = -1;
  port_ = 0;
  if (reader_.joinable()) reader_.join();
  ::close(stderr_fd_);
}

void ParleyProcess::Signal(int signal) const {
  if (pid_ > 0) ::kill(pid_, signal);
}

int ParleyProcess::Terminate() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = WaitExit(pid_);
  pid_ = -1;
  port_ = 0;
  if (reader_.joinable()) reader_.join();
  ::close(stderr_fd_);
  return status;
}

std::string ParleyProcess::logs() const {
  std::lock_guard lock(*log_mutex_);
  return *log_;
}

}  // namespace parley::testing
