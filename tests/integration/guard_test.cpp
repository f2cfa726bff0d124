// What stands in front of the expensive work, over real HTTP: login limits per client address, over all clients
// and per account (the client address taken from X-Forwarded-For only through a trusted proxy), sessions ended by
// a password change, and uploads refused from their header (401/403) or capped (429/503) before their body is
// read. The X-Forwarded-For addresses below are header values only; every connection goes to 127.0.0.1.

#include "integration/harness.h"
#include "integration/tenant_fixture.h"

#include <gtest/gtest.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>

#include <filesystem>
#include <future>

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace json = boost::json;
using tcp = asio::ip::tcp;

constexpr const char* kOwnerPassword = "owner-password-1";

class GuardTest : public ::testing::Test {
 protected:
  void Boot(std::map<std::string, std::string> extra = {}) {
    std::map<std::string, std::string> env{{"PARLEY_RESPONDER", "away_message"}};
    for (auto& [key, value] : extra) env[key] = value;
    parley_ = std::make_unique<ParleyProcess>(env);
    const CreatedTenant tenant = CreateTenant(*parley_, "Acme");
    ASSERT_FALSE(tenant.id.empty());
    tenant_id_ = tenant.id;
    owner_key_ = tenant.api_key;
    parley_->Start();
  }

  int64_t CreateUser(const std::string& email, const std::string& role, const std::string& password) {
    auto out = parley_->Cli(
        {"user", "create", "--tenant", tenant_id_, "--email", email, "--role", role, "--password", password});
    EXPECT_EQ(out.exit_code, 0) << out.out;
    return json::parse(out.out).at("user_id").to_number<int64_t>();
  }

  HttpResult Login(const std::string& email, const std::string& password, const std::string& forwarded_for = {}) {
    std::vector<std::pair<std::string, std::string>> headers{{"Content-Type", "application/json"}};
    if (!forwarded_for.empty()) headers.emplace_back("X-Forwarded-For", forwarded_for);
    return Call("POST", parley_->url("/api/auth/login"),
                json::serialize(json::object{{"email", email}, {"password", password}}), headers);
  }

  std::string SessionFor(const std::string& email, const std::string& password) {
    auto login = Login(email, password);
    EXPECT_EQ(login.status, 200) << login.body;
    return login.status == 200 ? std::string(login.Json().at("token").as_string()) : std::string();
  }

  HttpResult As(const std::string& token, const std::string& method, const std::string& path,
                const std::string& body = {}) {
    return Call(method, parley_->url(path), body,
                {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}});
  }

  // A raw connection, for requests whose body is sent late or never.
  struct Raw {
    asio::io_context io;
    tcp::socket socket{io};
    std::string buffer;

    void Send(const std::string& bytes) { asio::write(socket, asio::buffer(bytes)); }
    // The status line and headers of the next response, and its body (Content-Length).
    std::string Response() {
      boost::system::error_code ec;
      size_t end = asio::read_until(socket, asio::dynamic_buffer(buffer), "\r\n\r\n", ec);
      if (ec) return "";
      std::string head = buffer.substr(0, end);
      buffer.erase(0, end);
      size_t length = 0;
      if (auto at = head.find("Content-Length: "); at != std::string::npos) length = std::stoul(head.substr(at + 16));
      if (buffer.size() < length)
        asio::read(socket, asio::dynamic_buffer(buffer), asio::transfer_exactly(length - buffer.size()), ec);
      std::string body = buffer.substr(0, length);
      buffer.erase(0, length);
      return head + body;
    }
  };
  std::unique_ptr<Raw> Connect() {
    auto raw = std::make_unique<Raw>();
    raw->socket.connect({asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(Port())});
    return raw;
  }
  int Port() const {
    std::string url = parley_->url("");
    return std::stoi(url.substr(url.rfind(':') + 1));
  }

  // The header of a multipart upload of `length` bytes.
  static std::string UploadHeader(const std::string& token, size_t length, const std::string& extra = {}) {
    std::string auth = token.empty() ? "" : "Authorization: Bearer " + token + "\r\n";
    return "POST /api/knowledge-documents HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth + extra +
           "Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: " + std::to_string(length) + "\r\n\r\n";
  }
  static std::string UploadBody(const std::string& name, const std::string& text) {
    return "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name +
           "\"\r\nContent-Type: text/plain\r\n\r\n" + text + "\r\n--XyZ--\r\n";
  }
  size_t UploadFiles() const {
    std::filesystem::path dir = std::filesystem::path(parley_->data_dir()) / "uploads";
    size_t n = 0;
    std::error_code ec;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir, ec)) ++n;
    return n;
  }

  std::unique_ptr<ParleyProcess> parley_;
  std::string tenant_id_;
  std::string owner_key_;
};

TEST_F(GuardTest, OneAddressIsLimitedBeforeAnyPasswordIsChecked) {
  Boot({{"PARLEY_LOGIN_PER_ADDRESS_BURST", "3"}, {"PARLEY_LOGIN_PER_ADDRESS_PER_MINUTE", "1"}});
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Login("nobody" + std::to_string(i) + "@x.test", "pw").status, 401);
  const auto asked = std::chrono::steady_clock::now();
  auto limited = Login("nobody9@x.test", "pw");
  // Refusals are answered after a pause, so a script retrying at once cannot keep the cores busy with them.
  EXPECT_GE(std::chrono::steady_clock::now() - asked, 240ms);
  EXPECT_EQ(limited.status, 429) << limited.body;
  EXPECT_GE(std::stoi(limited.headers["retry-after"]), 30);
  EXPECT_NE(limited.body.find("address"), std::string::npos) << limited.body;
  // Without a trusted proxy a client cannot name another address to escape its limit.
  EXPECT_EQ(Login("nobody9@x.test", "pw", "203.0.113.50").status, 429);
}

TEST_F(GuardTest, WrongPasswordsFromOneAddressDoNotLockTheOwnerOutFromAnother) {
  Boot({{"PARLEY_TRUSTED_PROXIES", "127.0.0.1"}});
  CreateUser("ana@acme.test", "owner", kOwnerPassword);
  // Refused within a few guesses past the burst of ten, however slowly a loaded machine answers each (access_test.cpp).
  bool refused = false;
  for (int i = 0; i < 30 && !refused; ++i)
    refused = Login("ana@acme.test", "guess-" + std::to_string(i), "203.0.113.7").status == 429;
  ASSERT_TRUE(refused) << "30 wrong guesses in a row were never refused";
  // The guesser stays locked out, even with the right password…
  EXPECT_EQ(Login("ana@acme.test", kOwnerPassword, "203.0.113.7").status, 429);
  // …and the owner, elsewhere, is not.
  EXPECT_EQ(Login("ana@acme.test", kOwnerPassword, "198.51.100.20").status, 200);
}

TEST_F(GuardTest, AllLoginsTogetherAreLimited) {
  Boot({{"PARLEY_TRUSTED_PROXIES", "127.0.0.1"}, {"PARLEY_LOGIN_PER_SECOND", "1"}, {"PARLEY_LOGIN_BURST", "3"}});
  // Six attempts from six addresses at once: they are admitted (or not) as they arrive, within a fraction of the
  // refill's second, however long each one's password check then takes on a loaded machine.
  constexpr int kAttempts = 6;
  std::vector<std::future<HttpResult>> attempts;
  for (int i = 0; i < kAttempts; ++i) {
    attempts.push_back(std::async(std::launch::async, [this, i] {
      return Login("x" + std::to_string(i) + "@x.test", "pw", "203.0.113." + std::to_string(i));
    }));
  }
  int refused = 0, limited = 0;
  for (auto& attempt : attempts) {
    HttpResult answer = attempt.get();
    if (answer.status == 401) {
      ++refused;
    } else {
      EXPECT_EQ(answer.status, 429) << answer.body;
      EXPECT_EQ(answer.headers["retry-after"], "1");
      ++limited;
    }
  }
  // The burst is admitted, and at most the one attempt a second's refill allows besides.
  EXPECT_GE(refused, 3);
  EXPECT_LE(refused, 4);
  EXPECT_GE(limited, kAttempts - 4);
}

TEST_F(GuardTest, ChangingAPasswordEndsTheUsersOtherSessions) {
  Boot();
  int64_t ana = CreateUser("ana@acme.test", "owner", kOwnerPassword);
  int64_t bo = CreateUser("bo@acme.test", "agent", "agent-password-1");
  std::string laptop = SessionFor("ana@acme.test", kOwnerPassword);
  std::string phone = SessionFor("ana@acme.test", kOwnerPassword);
  std::string bo_laptop = SessionFor("bo@acme.test", "agent-password-1");
  std::string bo_phone = SessionFor("bo@acme.test", "agent-password-1");
  ASSERT_EQ(As(phone, "GET", "/api/auth/me").status, 200);  // Cached by the server before the change.

  auto changed = As(laptop, "PATCH", "/api/users/" + std::to_string(ana), R"({"password":"new-owner-password-2"})");
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(As(laptop, "GET", "/api/auth/me").status, 200);
  EXPECT_EQ(As(phone, "GET", "/api/auth/me").status, 401);
  EXPECT_EQ(Login("ana@acme.test", kOwnerPassword).status, 401);
  EXPECT_EQ(Login("ana@acme.test", "new-owner-password-2").status, 200);

  // Set by someone else, a new password ends every session of the user.
  ASSERT_EQ(As(bo_phone, "GET", "/api/auth/me").status, 200);
  ASSERT_EQ(As(laptop, "PATCH", "/api/users/" + std::to_string(bo), R"({"password":"reset-by-owner-3"})").status, 200);
  EXPECT_EQ(As(bo_laptop, "GET", "/api/auth/me").status, 401);
  EXPECT_EQ(As(bo_phone, "GET", "/api/auth/me").status, 401);
  // A change of name alone ends nothing.
  std::string bo_again = SessionFor("bo@acme.test", "reset-by-owner-3");
  ASSERT_EQ(As(laptop, "PATCH", "/api/users/" + std::to_string(bo), R"({"name":"Bo"})").status, 200);
  EXPECT_EQ(As(bo_again, "GET", "/api/auth/me").status, 200);
}

TEST_F(GuardTest, AnUploadIsRefusedFromItsHeaderBeforeItsBodyIsSent) {
  Boot();
  CreateUser("bo@acme.test", "agent", "agent-password-1");
  std::string agent = SessionFor("bo@acme.test", "agent-password-1");
  const size_t kNineteenMegabytes = 19 << 20;
  // None of the body is ever sent: the answer comes from the header alone.
  auto anonymous = Connect();
  anonymous->Send(UploadHeader("", kNineteenMegabytes));
  std::string unauthenticated = anonymous->Response();
  EXPECT_TRUE(unauthenticated.starts_with("HTTP/1.1 401")) << unauthenticated;
  auto wrong_role = Connect();
  wrong_role->Send(UploadHeader(agent, kNineteenMegabytes));
  std::string forbidden = wrong_role->Response();
  EXPECT_TRUE(forbidden.starts_with("HTTP/1.1 403")) << forbidden;
  auto forged = Connect();
  forged->Send(UploadHeader("pk_not-a-key", kNineteenMegabytes, "Expect: 100-continue\r\n"));
  std::string refused = forged->Response();
  EXPECT_TRUE(refused.starts_with("HTTP/1.1 401")) << refused;
  EXPECT_EQ(UploadFiles(), 0u);
}

TEST_F(GuardTest, UploadsGoToAFileAndAreCappedPerAddressAndOverall) {
  Boot({{"PARLEY_TRUSTED_PROXIES", "127.0.0.1"},
        {"PARLEY_MAX_UPLOADS_PER_ADDRESS", "1"},
        {"PARLEY_MAX_CONCURRENT_UPLOADS", "2"}});
  std::string body = UploadBody("notes.txt", "Opening hours: nine to five.");
  const size_t half = body.size() / 2;
  // An upload under way from one client: its first half is on disk, not in memory.
  auto first = Connect();
  first->Send(UploadHeader(owner_key_, body.size(), "X-Forwarded-For: 198.51.100.1\r\n") + body.substr(0, half));
  ASSERT_TRUE(Eventually([&] { return UploadFiles() == 1; }, 5s));
  auto same_client = Connect();
  same_client->Send(UploadHeader(owner_key_, body.size(), "X-Forwarded-For: 198.51.100.1\r\n"));
  std::string per_address = same_client->Response();
  EXPECT_TRUE(per_address.starts_with("HTTP/1.1 429")) << per_address;
  EXPECT_NE(per_address.find("Retry-After: 5"), std::string::npos) << per_address;

  auto second = Connect();
  second->Send(UploadHeader(owner_key_, body.size(), "X-Forwarded-For: 198.51.100.2\r\n") + body.substr(0, half));
  ASSERT_TRUE(Eventually([&] { return UploadFiles() == 2; }, 5s));
  auto third = Connect();
  third->Send(UploadHeader(owner_key_, body.size(), "X-Forwarded-For: 198.51.100.3\r\n"));
  std::string overall = third->Response();
  EXPECT_TRUE(overall.starts_with("HTTP/1.1 503")) << overall;
  EXPECT_NE(overall.find("Retry-After: 5"), std::string::npos) << overall;

  first->Send(body.substr(half));
  std::string stored = first->Response();
  EXPECT_TRUE(stored.starts_with("HTTP/1.1 202")) << stored;
  EXPECT_NE(stored.find("\"name\":\"notes.txt\""), std::string::npos) << stored;
  second->Send(body.substr(half));
  EXPECT_TRUE(second->Response().starts_with("HTTP/1.1 202"));
  EXPECT_TRUE(Eventually([&] { return UploadFiles() == 0; }, 5s));

  auto documents = As(owner_key_, "GET", "/api/knowledge-documents");
  ASSERT_EQ(documents.status, 200) << documents.body;
  // Both were stored; the same name in the same knowledge base makes the later one the document's next version.
  ASSERT_EQ(documents.Json().at("data").as_array().size(), 1u);
  EXPECT_EQ(documents.Json().at("data").at(0).at("version"), 2);
}

}  // namespace
}  // namespace parley::testing
