// http::Server over TLS (ServerOptions::tls, http/tls.h), with certificates issued in the test by a CA of its own.

#include "http/server.h"
#include "http/tls.h"
#include "support/test_tls.h"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>

#include <openssl/ssl.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <thread>

namespace parley::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using testing::HttpsConnection;
using testing::HttpsGet;
using testing::HttpsOptions;
using testing::TestCa;
using testing::TestCertificate;
using testing::WriteFile;
using namespace std::chrono_literals;

class ServerTlsTest : public ::testing::Test {
 protected:
  ServerTlsTest() {
    router_.Add(Verb::get, "/hello", [](const Request&, const RouteContext&) -> asio::awaitable<Response> {
      co_return TextResponse(Status::ok, "hi");
    });
    // A stream response that ends by itself: the server must stop watching the connection and finish the stream.
    router_.Add(Verb::get, "/events", [](const Request&, const RouteContext& route) -> asio::awaitable<Response> {
      co_return StreamResponse(route, "text/event-stream", [](StreamWriter& writer) -> asio::awaitable<void> {
        co_await writer.Write("data: one\n\n");
        co_await writer.Write("data: two\n\n");
      });
    });
    dir_ = std::filesystem::temp_directory_path() / ("parley-tls-test-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }

  ~ServerTlsTest() override {
    if (server_) asio::co_spawn(io_, server_->Stop(), asio::use_future).wait_for(5s);
    work_.reset();
    io_.stop();
    if (thread_.joinable()) thread_.join();
    std::filesystem::remove_all(dir_);
  }

  std::filesystem::path cert_file() const { return dir_ / "fullchain.pem"; }
  std::filesystem::path key_file() const { return dir_ / "privkey.pem"; }

  void Install(const TestCertificate& certificate) {
    WriteFile(cert_file(), certificate.cert_pem);
    WriteFile(key_file(), certificate.key_pem);
  }

  // Installs `certificate`, loads it and serves HTTPS with it on 127.0.0.1.
  void StartServer(const TestCertificate& certificate, ServerOptions options = {}) {
    Install(certificate);
    auto tls = TlsContext::Load(cert_file(), key_file());
    ASSERT_TRUE(tls) << tls.error().message;
    tls_ = *tls;
    options.host = "127.0.0.1";
    options.port = 0;
    options.tls = tls_;
    server_ = std::make_unique<Server>(io_.get_executor(), options, router_);
    ASSERT_TRUE(server_->Start().has_value());
    thread_ = std::thread([this] { io_.run(); });
  }

  static bool WaitFor(const std::function<bool()>& condition) {
    const auto deadline = std::chrono::steady_clock::now() + 2s;
    while (!condition()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(5ms);
    }
    return true;
  }

  TestCa ca_;
  std::filesystem::path dir_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  Router router_;
  std::shared_ptr<TlsContext> tls_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

TEST_F(ServerTlsTest, ServesHttpsWithTheConfiguredCertificateAndAlpnHttp11) {
  StartServer(ca_.Issue("first.test", 1001));
  auto result = HttpsGet(server_->port(), "/hello", ca_.cert_pem());
  ASSERT_EQ(result.error, "");
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.body, "hi");
  EXPECT_EQ(result.peer_common_name, "first.test");
  EXPECT_EQ(result.peer_serial, 1001);
  EXPECT_EQ(result.alpn, "http/1.1");
  EXPECT_EQ(tls_->summary().subject, "/CN=first.test");
  EXPECT_EQ(tls_->summary().serial, "03E9");
}

TEST_F(ServerTlsTest, KeepAliveServesSeveralRequestsOnOneTlsConnection) {
  StartServer(ca_.Issue("first.test", 1));
  HttpsConnection connection(server_->port(), ca_.cert_pem());
  for (int i = 0; i < 3; ++i) {
    auto result = connection.Get("/hello");
    ASSERT_EQ(result.error, "") << i;
    EXPECT_EQ(result.body, "hi");
  }
  EXPECT_EQ(server_->active_connections(), 1);
}

TEST_F(ServerTlsTest, StreamsAnEventStreamOverTls) {
  StartServer(ca_.Issue("first.test", 1));
  auto result = HttpsGet(server_->port(), "/events", ca_.cert_pem());
  ASSERT_EQ(result.error, "");
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.body, "data: one\n\ndata: two\n\n");
  EXPECT_TRUE(WaitFor([&] { return server_->active_connections() == 0; }));
}

TEST_F(ServerTlsTest, RefusesTls11AndClientsThatOfferOnlyOtherProtocols) {
  StartServer(ca_.Issue("first.test", 1));
  HttpsOptions old_tls;
  old_tls.max_tls_version = TLS1_1_VERSION;
  EXPECT_NE(HttpsGet(server_->port(), "/hello", ca_.cert_pem(), old_tls).error.find("handshake"), std::string::npos);
  HttpsOptions h2_only;
  h2_only.alpn = {"h2"};
  EXPECT_NE(HttpsGet(server_->port(), "/hello", ca_.cert_pem(), h2_only).error.find("handshake"), std::string::npos);
  HttpsOptions no_alpn;
  no_alpn.alpn = {};
  auto without = HttpsGet(server_->port(), "/hello", ca_.cert_pem(), no_alpn);
  EXPECT_EQ(without.error, "");
  EXPECT_EQ(without.status, 200);
}

TEST_F(ServerTlsTest, PlainHttpToTheTlsPortGetsNoAnswer) {
  StartServer(ca_.Issue("first.test", 1));
  asio::io_context client_io;
  tcp::socket socket(client_io);
  socket.connect({asio::ip::make_address("127.0.0.1"), server_->port()});
  asio::write(socket, asio::buffer(std::string_view("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")));
  std::string received(4096, '\0');
  boost::system::error_code ec;
  const size_t n = asio::read(socket, asio::buffer(received), ec);
  // Closed, at most after a TLS alert record (content type 21): never an HTTP answer.
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
  received.resize(n);
  EXPECT_EQ(received.find("HTTP/"), std::string::npos);
  if (n > 0) {
    EXPECT_EQ(received[0], '\x15');
  }
}

TEST_F(ServerTlsTest, AStalledHandshakeClosesAfterTheHeaderTimeout) {
  ServerOptions options;
  options.header_timeout = 300ms;
  StartServer(ca_.Issue("first.test", 1), options);
  asio::io_context client_io;
  tcp::socket socket(client_io);
  socket.connect({asio::ip::make_address("127.0.0.1"), server_->port()});
  const auto start = std::chrono::steady_clock::now();
  char byte;
  boost::system::error_code ec;
  asio::read(socket, asio::buffer(&byte, 1), ec);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
  EXPECT_GE(elapsed, 240ms);
  EXPECT_LT(elapsed, 2s);
}

TEST_F(ServerTlsTest, ReloadServesTheNewCertificateToNewConnectionsOnly) {
  StartServer(ca_.Issue("first.test", 1));
  HttpsConnection open(server_->port(), ca_.cert_pem());
  ASSERT_EQ(open.Get("/hello").peer_common_name, "first.test");

  Install(ca_.Issue("second.test", 2));
  auto reloaded = tls_->Reload();
  ASSERT_TRUE(reloaded) << reloaded.error().message;
  EXPECT_EQ(reloaded->subject, "/CN=second.test");

  auto fresh = HttpsGet(server_->port(), "/hello", ca_.cert_pem());
  ASSERT_EQ(fresh.error, "");
  EXPECT_EQ(fresh.peer_common_name, "second.test");
  EXPECT_EQ(fresh.peer_serial, 2);
  // The connection opened before the reload still works, on the certificate it started with.
  auto again = open.Get("/hello");
  ASSERT_EQ(again.error, "");
  EXPECT_EQ(again.body, "hi");
  EXPECT_EQ(again.peer_serial, 1);
}

TEST_F(ServerTlsTest, ABadReloadKeepsTheOldPairAndNamesTheFileWithoutQuotingTheKey) {
  StartServer(ca_.Issue("first.test", 1));
  const TestCertificate second = ca_.Issue("second.test", 2);
  const TestCertificate third = ca_.Issue("third.test", 3);
  // A renewal caught half-way: the new certificate beside the old key.
  WriteFile(cert_file(), second.cert_pem);
  auto mismatched = tls_->Reload();
  ASSERT_FALSE(mismatched);
  EXPECT_NE(mismatched.error().message.find(key_file().string()), std::string::npos) << mismatched.error().message;
  EXPECT_NE(mismatched.error().message.find("is not the key of the certificate"), std::string::npos);
  // A key file holding something else: named, its contents not repeated.
  Install(third);
  WriteFile(key_file(), "not a key\n" + third.key_pem.substr(40, 20));
  auto garbage = tls_->Reload();
  ASSERT_FALSE(garbage);
  EXPECT_NE(garbage.error().message.find(key_file().string()), std::string::npos) << garbage.error().message;
  EXPECT_EQ(garbage.error().message.find(third.key_pem.substr(40, 20)), std::string::npos);
  // A file gone.
  std::filesystem::remove(cert_file());
  auto missing = tls_->Reload();
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find(cert_file().string()), std::string::npos) << missing.error().message;

  auto result = HttpsGet(server_->port(), "/hello", ca_.cert_pem());
  ASSERT_EQ(result.error, "");
  EXPECT_EQ(result.peer_common_name, "first.test");
  EXPECT_EQ(tls_->summary().subject, "/CN=first.test");
}

TEST_F(ServerTlsTest, LoadRefusesAKeyThatIsNotTheCertificates) {
  const TestCertificate first = ca_.Issue("first.test", 1);
  const TestCertificate second = ca_.Issue("second.test", 2);
  WriteFile(cert_file(), first.cert_pem);
  WriteFile(key_file(), second.key_pem);
  auto tls = TlsContext::Load(cert_file(), key_file());
  ASSERT_FALSE(tls);
  EXPECT_EQ(tls.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(tls.error().message.find(cert_file().string()), std::string::npos);
  EXPECT_EQ(tls.error().message.find("PRIVATE KEY"), std::string::npos);
  // A key where the certificate should be.
  WriteFile(cert_file(), first.key_pem);
  WriteFile(key_file(), first.key_pem);
  auto swapped = TlsContext::Load(cert_file(), key_file());
  ASSERT_FALSE(swapped);
  EXPECT_NE(swapped.error().message.find("TLS certificate " + cert_file().string()), std::string::npos)
      << swapped.error().message;
}

}  // namespace
}  // namespace parley::http
