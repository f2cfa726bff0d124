#pragma once
// The server's side of TLS (PARLEY_TLS_CERT, PARLEY_TLS_KEY): a certificate chain and its private key read from PEM
// files into an OpenSSL context that speaks TLS 1.2 and 1.3 only, with forward-secret AEAD ciphers and ALPN
// http/1.1. http::Server takes one through ServerOptions::tls and gives each new connection the context current
// when it was accepted.
//
// Reload() reads the files again, for a renewed certificate (certbot, Let's Encrypt): connections accepted
// afterwards use the new pair, open ones keep the context they started with, and a pair that cannot be used is
// refused while the old one stays in use.

#include "core/error.h"

#include <boost/asio/ssl/context.hpp>

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

namespace parley::http {

// What a log may say of the certificate in use; never anything of the key.
struct CertificateSummary {
  std::string subject;    //!< One line, OpenSSL's form: "/CN=parley.example.com".
  std::string serial;     //!< Hexadecimal.
  std::string not_after;  //!< When it expires: "Mar  1 12:00:00 2027 GMT".
};

class TlsContext {
 public:
  // Reads the pair. Fails with kInvalidArgument naming the file when it cannot be read or holds no PEM certificate
  // (or key), or when the key is not the certificate's; the message never quotes the files' contents.
  static Result<std::shared_ptr<TlsContext>> Load(std::filesystem::path cert_file, std::filesystem::path key_file);

  // Reads the files again; on success new connections get the new pair, on failure nothing changes. Safe to call
  // from any thread, while connections are being accepted.
  Result<CertificateSummary> Reload();

  // The context for a connection being accepted now. The connection keeps it as long as it lives.
  std::shared_ptr<boost::asio::ssl::context> Current() const;
  CertificateSummary summary() const;  //!< Of the certificate Current() presents.

 private:
  TlsContext(std::filesystem::path cert_file, std::filesystem::path key_file);

  const std::filesystem::path cert_file_;
  const std::filesystem::path key_file_;
  mutable std::mutex mutex_;
  std::shared_ptr<boost::asio::ssl::context> current_;  // GUARDED_BY(mutex_)
  CertificateSummary summary_;                          // GUARDED_BY(mutex_)
};

}  // namespace parley::http
