// `parley serve` with PARLEY_TLS_CERT and PARLEY_TLS_KEY: HTTPS on the public listener, the certificate reread on
// SIGHUP (a renewal), a bad renewal refused while the old pair keeps serving, and start-up refusing a half or
// unusable configuration. Certificates come from a CA the test makes (tests/support/test_tls.h).

#include "integration/harness.h"
#include "support/test_tls.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <csignal>
#include <filesystem>

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

class TlsTest : public ::testing::Test {
 protected:
  TlsTest() {
    dir_ = fs::temp_directory_path() / ("parley-tls-it-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  ~TlsTest() override { fs::remove_all(dir_); }

  fs::path cert_file() const { return dir_ / "fullchain.pem"; }
  fs::path key_file() const { return dir_ / "privkey.pem"; }
  void Install(const TestCertificate& certificate) {
    WriteFile(cert_file(), certificate.cert_pem);
    WriteFile(key_file(), certificate.key_pem);
  }
  std::map<std::string, std::string> TlsEnv() const {
    return {{"PARLEY_TLS_CERT", cert_file().string()}, {"PARLEY_TLS_KEY", key_file().string()}};
  }

  bool Logged(const ParleyProcess& parley, const std::string& event) const {
    return parley.logs().find("\"event\":\"" + event + "\"") != std::string::npos;
  }

  TestCa ca_;
  fs::path dir_;
};

TEST_F(TlsTest, ServesHttpsAndTakesARenewedCertificateOnSighup) {
  Install(ca_.Issue("first.parley.test", 1));
  ParleyProcess parley(TlsEnv());
  parley.Start();

  auto first = HttpsGet(static_cast<uint16_t>(parley.port()), "/health", ca_.cert_pem());
  ASSERT_EQ(first.error, "") << parley.logs();
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(boost::json::parse(first.body).at("status"), "ok");
  EXPECT_EQ(first.peer_common_name, "first.parley.test");
  EXPECT_EQ(first.alpn, "http/1.1");
  // Served over HTTPS: browsers are told to keep to it.
  EXPECT_EQ(first.headers["strict-transport-security"], "max-age=31536000");

  // A renewal, as certbot's deploy hook would do it: new files, then SIGHUP.
  Install(ca_.Issue("second.parley.test", 2));
  parley.Signal(SIGHUP);
  EXPECT_TRUE(Eventually(
      [&] { return HttpsGet(static_cast<uint16_t>(parley.port()), "/health", ca_.cert_pem()).peer_serial == 2; }, 10s))
      << parley.logs();
  EXPECT_TRUE(Logged(parley, "tls_reloaded"));

  // A renewal gone wrong (the new certificate beside the old key): refused, the second pair keeps serving.
  const TestCertificate third = ca_.Issue("third.parley.test", 3);
  WriteFile(cert_file(), third.cert_pem);
  parley.Signal(SIGHUP);
  ASSERT_TRUE(Eventually([&] { return Logged(parley, "tls_reload_failed"); }, 10s)) << parley.logs();
  auto after = HttpsGet(static_cast<uint16_t>(parley.port()), "/health", ca_.cert_pem());
  ASSERT_EQ(after.error, "");
  EXPECT_EQ(after.status, 200);
  EXPECT_EQ(after.peer_serial, 2);
  EXPECT_EQ(parley.logs().find("PRIVATE KEY"), std::string::npos);

  EXPECT_EQ(parley.Terminate(), 0) << parley.logs();  // Still running until asked to stop, and stops cleanly.
}

TEST_F(TlsTest, SighupWithoutTlsIsLoggedAndIgnored) {
  ParleyProcess parley({});
  parley.Start();
  parley.Signal(SIGHUP);
  ASSERT_TRUE(Eventually([&] { return Logged(parley, "reload_ignored"); }, 10s)) << parley.logs();
  EXPECT_EQ(Call("GET", parley.url("/health")).status, 200);
  EXPECT_EQ(parley.Terminate(), 0) << parley.logs();
}

TEST_F(TlsTest, AHalfOrUnusableTlsConfigurationStopsStartUp) {
  const TestCertificate first = ca_.Issue("first.parley.test", 1);
  const TestCertificate second = ca_.Issue("second.parley.test", 2);
  Install(first);

  ParleyProcess cert_alone({{"PARLEY_TLS_CERT", cert_file().string()}});
  auto half = cert_alone.Cli({"serve"});
  EXPECT_EQ(half.exit_code, 1);
  EXPECT_NE(half.err.find("PARLEY_TLS_CERT and PARLEY_TLS_KEY must be set together"), std::string::npos) << half.err;

  WriteFile(key_file(), second.key_pem);
  ParleyProcess mismatched(TlsEnv());
  auto refused = mismatched.Cli({"serve"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("config_invalid"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find(key_file().string()), std::string::npos) << refused.err;
  EXPECT_EQ(refused.err.find("PRIVATE KEY"), std::string::npos);
  EXPECT_EQ(refused.err.find("\"listening\""), std::string::npos);

  fs::remove(key_file());
  ParleyProcess missing(TlsEnv());
  auto unreadable = missing.Cli({"serve"});
  EXPECT_EQ(unreadable.exit_code, 1);
  EXPECT_NE(unreadable.err.find("cannot read the TLS key " + key_file().string()), std::string::npos) << unreadable.err;
}

}  // namespace
}  // namespace parley::testing
