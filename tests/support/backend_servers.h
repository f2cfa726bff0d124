#pragma once
// Where the real PostgreSQL and Redis servers of the backend tests listen (scripts/test_servers.sh, which CTest's
// `backend_servers` fixture runs before any test labelled "backend"). PARLEY_TEST_POSTGRES_URL and
// PARLEY_TEST_REDIS_URL point a run at other servers. Without either, a backend test fails with a message saying
// how to start them: it never passes or skips against nothing.

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>

namespace parley::testing {

namespace backend_servers_detail {
inline std::string Url(const char* variable, const char* file) {
  if (const char* url = std::getenv(variable); url != nullptr && *url != '\0') return url;
  const std::string path = std::string(PARLEY_TEST_SERVERS_DIR) + "/" + file;
  std::ifstream in(path);
  std::string url;
  if (!std::getline(in, url) || url.empty()) {
    throw std::runtime_error(std::string("no test server: set ") + variable +
                             " or run `scripts/test_servers.sh start " + PARLEY_TEST_SERVERS_DIR +
                             "` (ctest -L backend does)");
  }
  return url;
}
}  // namespace backend_servers_detail

inline std::string TestPostgresUrl() { return backend_servers_detail::Url("PARLEY_TEST_POSTGRES_URL", "postgres.url"); }
inline std::string TestRedisUrl() { return backend_servers_detail::Url("PARLEY_TEST_REDIS_URL", "redis.url"); }

}  // namespace parley::testing
