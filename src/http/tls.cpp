#include "http/tls.h"

#include <boost/asio/buffer.hpp>
#include <boost/asio/ssl/error.hpp>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

namespace parley::http {
namespace {

namespace ssl = boost::asio::ssl;

// TLS 1.2's suites: ECDHE key exchange and AEAD only (Mozilla's "intermediate" list without DHE, which would need
// parameters of its own). TLS 1.3 keeps OpenSSL's defaults, which are all of that kind.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// ALPN: the server speaks HTTP/1.1 only. A client that offers protocols but not this one is refused during the
// handshake (RFC 7301's no_application_protocol) rather than left to speak, say, HTTP/2 to an HTTP/1.1 parser.
int SelectHttp11(SSL*, const unsigned char** out, unsigned char* out_length, const unsigned char* offered,
                 unsigned int offered_length, void*) {
  static const unsigned char kHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, out_length, kHttp11, sizeof kHttp11, offered, offered_length) !=
      OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  }
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

Result<std::string> ReadFile(const std::filesystem::path& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error::InvalidArgument("cannot read the TLS " + std::string(what) + " " + path.string() + ": " +
                                  std::strerror(errno));
  }
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Overwrites a copy of the private key before its memory is given back.
struct Cleansed {
  std::string& bytes;
  ~Cleansed() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};

CertificateSummary Summarize(X509* certificate) {
  CertificateSummary summary;
  if (certificate == nullptr) return summary;
  if (char* subject = X509_NAME_oneline(X509_get_subject_name(certificate), nullptr, 0)) {
    summary.subject = subject;
    OPENSSL_free(subject);
  }
  if (BIGNUM* serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(certificate), nullptr)) {
    if (char* hex = BN_bn2hex(serial)) {
      summary.serial = hex;
      OPENSSL_free(hex);
    }
    BN_free(serial);
  }
  if (BIO* bio = BIO_new(BIO_s_mem())) {
    if (ASN1_TIME_print(bio, X509_get0_notAfter(certificate)) == 1) {
      char* data = nullptr;
      const long length = BIO_get_mem_data(bio, &data);
      summary.not_after.assign(data, static_cast<size_t>(length));
    }
    BIO_free(bio);
  }
  return summary;
}

Error MismatchError(const std::filesystem::path& cert_file, const std::filesystem::path& key_file) {
  return Error::InvalidArgument("the TLS key " + key_file.string() + " is not the key of the certificate " +
                                cert_file.string());
}

Result<std::shared_ptr<ssl::context>> MakeContext(const std::filesystem::path& cert_file,
                                                  const std::filesystem::path& key_file) {
  auto chain = ReadFile(cert_file, "certificate");
  if (!chain) return chain.error();
  auto key = ReadFile(key_file, "key");
  if (!key) return key.error();
  Cleansed cleanse_key{*key};

  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();
  context->set_options(ssl::context::default_workarounds | ssl::context::no_compression | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_cipher_list(native, kTls12Ciphers);
  SSL_CTX_set_alpn_select_cb(native, SelectHttp11, nullptr);
  // An encrypted key would make OpenSSL ask for its passphrase on the terminal; a service has none to give.
  context->set_password_callback([](size_t, ssl::context::password_purpose) { return std::string(); });

  boost::system::error_code ec;
  context->use_certificate_chain(boost::asio::buffer(*chain), ec);
  if (ec) {
    return Error::InvalidArgument("the TLS certificate " + cert_file.string() +
                                  " holds no usable PEM certificate: " + ec.message());
  }
  context->use_private_key(boost::asio::buffer(*key), ssl::context::pem, ec);
  if (ec && ec.category() == boost::asio::error::get_ssl_category() &&
      ERR_GET_LIB(static_cast<unsigned long>(ec.value())) == ERR_LIB_X509 &&
      (ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == X509_R_KEY_VALUES_MISMATCH ||
       ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == X509_R_KEY_TYPE_MISMATCH)) {
    return MismatchError(cert_file, key_file);
  }
  if (ec) {
    return Error::InvalidArgument("the TLS key " + key_file.string() +
                                  " holds no usable PEM private key (an unencrypted one is needed): " + ec.message());
  }
  if (SSL_CTX_check_private_key(native) != 1) return MismatchError(cert_file, key_file);
  return context;
}

}  // namespace

TlsContext::TlsContext(std::filesystem::path cert_file, std::filesystem::path key_file)
    : cert_file_(std::move(cert_file)), key_file_(std::move(key_file)) {}

Result<std::shared_ptr<TlsContext>> TlsContext::Load(std::filesystem::path cert_file, std::filesystem::path key_file) {
  std::shared_ptr<TlsContext> tls(new TlsContext(std::move(cert_file), std::move(key_file)));
  if (auto loaded = tls->Reload(); !loaded) return loaded.error();
  return tls;
}

Result<CertificateSummary> TlsContext::Reload() {
  auto context = MakeContext(cert_file_, key_file_);
  if (!context) return context.error();
  CertificateSummary summary = Summarize(SSL_CTX_get0_certificate((*context)->native_handle()));
  std::lock_guard lock(mutex_);
  current_ = std::move(*context);
  summary_ = summary;
  return summary;
}

std::shared_ptr<boost::asio::ssl::context> TlsContext::Current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

CertificateSummary TlsContext::summary() const {
  std::lock_guard lock(mutex_);
  return summary_;
}

}  // namespace parley::http
