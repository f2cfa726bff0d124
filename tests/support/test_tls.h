#pragma once
// TLS for tests, made with OpenSSL's API at run time: a certificate authority of the test's own, certificates it
// issues for 127.0.0.1 and localhost, and a blocking HTTPS client that trusts only that authority and reports
// which certificate the server presented.

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace parley::testing {

struct TestCertificate {
  std::string cert_pem;
  std::string key_pem;  //!< Unencrypted PKCS#8.
};

class TestCa {
 public:
  TestCa();  // A fresh P-256 key and a self-signed CA certificate, valid for a day.

  // A server certificate for DNS:localhost and IP:127.0.0.1 with this common name and serial, and a new key.
  TestCertificate Issue(const std::string& common_name, int64_t serial) const;
  const std::string& cert_pem() const { return cert_pem_; }

 private:
  std::string cert_pem_;
  std::string key_pem_;
};

// Writes `contents` to `path`, replacing it.
void WriteFile(const std::filesystem::path& path, const std::string& contents);

struct HttpsOptions {
  std::vector<std::string> alpn = {"http/1.1"};  //!< Protocols offered; empty: no ALPN extension.
  int max_tls_version = 0;                       //!< e.g. TLS1_1_VERSION; 0: OpenSSL's default.
};

struct HttpsResult {
  std::string error;  //!< Empty on success; else where it failed (connect, handshake, write, read) and why.
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  //!< Lower-case names.
  std::string peer_common_name;                //!< Of the certificate the server presented.
  int64_t peer_serial = -1;
  std::string alpn;  //!< The protocol the server selected.
};

// One GET over a new TLS connection to 127.0.0.1:`port`, verifying the server's certificate against `ca_pem` and
// the name 127.0.0.1.
HttpsResult HttpsGet(uint16_t port, const std::string& target, const std::string& ca_pem,
                     const HttpsOptions& options = {});

// The same on a connection kept open between requests, to show what an already open connection sees.
class HttpsConnection {
 public:
  // Connects and completes the handshake; a failure is reported by every Get().
  HttpsConnection(uint16_t port, const std::string& ca_pem, const HttpsOptions& options = {});
  ~HttpsConnection();
  HttpsConnection(const HttpsConnection&) = delete;
  HttpsConnection& operator=(const HttpsConnection&) = delete;

  HttpsResult Get(const std::string& target);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace parley::testing
