#pragma once
// Runs the real `parley` binary for black-box tests: a private data directory, port 0, and the environment the
// test chooses. HTTP calls go over loopback through Parley's own client.

#include <boost/json/value.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace parley::testing {

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;  //!< Standard error: log lines, and the reason of a failed command.
};

struct HttpResult {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  //!< Lower-case names.
  boost::json::value Json() const;
};

// A blocking HTTP call on loopback (one attempt, no retries).
HttpResult Call(const std::string& method, const std::string& url, const std::string& body = {},
                const std::vector<std::pair<std::string, std::string>>& headers = {});

class ParleyProcess {
 public:
  // Creates a fresh data directory; `env` is added to a minimal environment (PATH, HOME).
  explicit ParleyProcess(std::map<std::string, std::string> env);
  ~ParleyProcess();

  // Runs `parley ARGS...` to completion with the same environment.
  CliResult Cli(const std::vector<std::string>& args) const;

  // Starts `parley serve` and waits for its "listening" log line.
  void Start();
  // SIGKILL, no chance to clean up.
  void Kill9();
  // SIGTERM; returns the exit status.
  int Terminate();
  bool running() const { return pid_ > 0; }
  // Sends `signal` (SIGHUP, …) to the running server and returns at once.
  void Signal(int signal) const;
  int port() const { return port_; }

  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  //! On the operator's listener (PARLEY_ADMIN_LISTEN), when the server has one.
  std::string admin_url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(admin_port_) + path;
  }
  const std::string& data_dir() const { return data_dir_; }
  std::string logs() const;
  std::map<std::string, std::string>& env() { return env_; }

 private:
  std::map<std::string, std::string> env_;
  std::string data_dir_;
  int pid_ = -1;
  int port_ = 0;
  int admin_port_ = 0;
  int stderr_fd_ = -1;
  std::shared_ptr<std::string> log_;
  std::shared_ptr<std::mutex> log_mutex_;
  std::thread reader_;
};

// The signature Meta puts in X-Hub-Signature-256.
std::string Sign(const std::string& secret, const std::string& body);

// Polls `predicate` every 20 ms until it holds or `timeout` passes.
bool Eventually(const std::function<bool()>& predicate, std::chrono::milliseconds timeout);

}  // namespace parley::testing
