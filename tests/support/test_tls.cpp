#include "support/test_tls.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <memory>
#include <optional>
#include <stdexcept>

namespace parley::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

void Check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("OpenSSL failed: ") + what);
}

KeyPtr NewKey() {
  KeyPtr key(EVP_EC_gen("P-256"));
  Check(key != nullptr, "EVP_EC_gen");
  return key;
}

std::string Pem(const KeyPtr& key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  Check(PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1, "write key");
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(length));
}

std::string Pem(const CertPtr& cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  Check(PEM_write_bio_X509(bio.get(), cert.get()) == 1, "write certificate");
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(length));
}

KeyPtr ReadKey(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  Check(key != nullptr, "read key");
  return key;
}

CertPtr ReadCert(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  CertPtr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  Check(cert != nullptr, "read certificate");
  return cert;
}

void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
  Check(extension != nullptr, "extension");
  X509_add_ext(cert, extension, -1);
  X509_EXTENSION_free(extension);
}

// A certificate for `key` named `common_name`, valid from an hour ago for a day; self-signed without an issuer.
CertPtr MakeCert(const KeyPtr& key, const std::string& common_name, int64_t serial, X509* issuer,
                 EVP_PKEY* issuer_key) {
  CertPtr cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set_int64(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                             -1, 0);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  if (issuer == nullptr) {
    AddExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    AddExtension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    AddExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
    AddExtension(cert.get(), signer, NID_ext_key_usage, "serverAuth");
    AddExtension(cert.get(), signer, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
  }
  Check(X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key.get(), EVP_sha256()) > 0, "sign");
  return cert;
}

}  // namespace

TestCa::TestCa() {
  KeyPtr key = NewKey();
  CertPtr cert = MakeCert(key, "Parley Test CA", 1, nullptr, nullptr);
  cert_pem_ = Pem(cert);
  key_pem_ = Pem(key);
}

TestCertificate TestCa::Issue(const std::string& common_name, int64_t serial) const {
  KeyPtr ca_key = ReadKey(key_pem_);
  CertPtr ca_cert = ReadCert(cert_pem_);
  KeyPtr key = NewKey();
  CertPtr cert = MakeCert(key, common_name, serial, ca_cert.get(), ca_key.get());
  return {Pem(cert), Pem(key)};
}

void WriteFile(const std::filesystem::path& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

struct HttpsConnection::State {
  asio::io_context io;
  ssl::context context{ssl::context::tls_client};
  std::optional<beast::ssl_stream<asio::ip::tcp::socket>> stream;
  beast::flat_buffer buffer;
  HttpsResult connected;  // What the handshake showed, or why there is no connection.
};

HttpsConnection::HttpsConnection(uint16_t port, const std::string& ca_pem, const HttpsOptions& options)
    : state_(std::make_unique<State>()) {
  boost::system::error_code ec;
  HttpsResult& connected = state_->connected;
  state_->context.add_certificate_authority(asio::buffer(ca_pem), ec);
  if (ec) {
    connected.error = "ca: " + ec.message();
    return;
  }
  state_->context.set_verify_mode(ssl::verify_peer);
  if (options.max_tls_version != 0) {
    SSL_CTX_set_max_proto_version(state_->context.native_handle(), options.max_tls_version);
  }
  state_->stream.emplace(state_->io, state_->context);
  auto& stream = *state_->stream;
  stream.set_verify_callback(ssl::host_name_verification("127.0.0.1"));
  if (!options.alpn.empty()) {
    std::string wire;
    for (const auto& protocol : options.alpn) wire += static_cast<char>(protocol.size()) + protocol;
    SSL_set_alpn_protos(stream.native_handle(), reinterpret_cast<const unsigned char*>(wire.data()),
                        static_cast<unsigned>(wire.size()));
  }
  stream.next_layer().connect({asio::ip::make_address("127.0.0.1"), port}, ec);
  if (ec) {
    connected.error = "connect: " + ec.message();
    return;
  }
  stream.handshake(ssl::stream_base::client, ec);
  if (ec) {
    connected.error = "handshake: " + ec.message();
    return;
  }
  if (X509* peer = SSL_get1_peer_certificate(stream.native_handle())) {
    char name[256] = {};
    X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, name, sizeof name);
    connected.peer_common_name = name;
    ASN1_INTEGER_get_int64(&connected.peer_serial, X509_get0_serialNumber(peer));
    X509_free(peer);
  }
  const unsigned char* alpn = nullptr;
  unsigned alpn_length = 0;
  SSL_get0_alpn_selected(stream.native_handle(), &alpn, &alpn_length);
  connected.alpn.assign(reinterpret_cast<const char*>(alpn), alpn_length);
}

HttpsConnection::~HttpsConnection() = default;

HttpsResult HttpsConnection::Get(const std::string& target) {
  HttpsResult result = state_->connected;
  if (!result.error.empty()) return result;
  bhttp::request<bhttp::empty_body> request{bhttp::verb::get, target, 11};
  request.set(bhttp::field::host, "127.0.0.1");
  boost::system::error_code ec;
  bhttp::write(*state_->stream, request, ec);
  if (ec) {
    result.error = "write: " + ec.message();
    return result;
  }
  bhttp::response<bhttp::string_body> response;
  bhttp::read(*state_->stream, state_->buffer, response, ec);
  if (ec) {
    result.error = "read: " + ec.message();
    return result;
  }
  result.status = static_cast<int>(response.result_int());
  result.body = response.body();
  for (const auto& field : response) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    result.headers[name] = std::string(field.value());
  }
  return result;
}

HttpsResult HttpsGet(uint16_t port, const std::string& target, const std::string& ca_pem, const HttpsOptions& options) {
  return HttpsConnection(port, ca_pem, options).Get(target);
}

}  // namespace parley::testing
