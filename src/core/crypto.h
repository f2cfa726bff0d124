#pragma once
// Cryptographic helpers over OpenSSL 3 and libsodium: HMAC signatures, constant-time comparison, random tokens,
// hashing of API keys and authenticated encryption of credentials at rest.

#include "core/error.h"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace parley::crypto {

// Lower-case hex HMAC-SHA256 of `data` under `key`.
std::string HmacSha256Hex(std::string_view key, std::string_view data);

// Compares in time that depends only on the lengths, never on where the inputs differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Meta's `X-Hub-Signature-256: sha256=<hex>` over the raw body with the app secret. False when the header is
// missing, malformed or wrong, or when `secret` is empty (an unconfigured platform accepts nothing).
bool VerifyHubSignature(std::string_view secret, std::string_view body, std::string_view header);

std::string Sha256Hex(std::string_view data);
// The SHA-256 of a file's bytes, read in pieces (a database can be larger than memory). kUnavailable when it cannot
// be read.
Result<std::string> Sha256FileHex(const std::string& path);

// Argon2id (libsodium's crypto_pwhash_str, interactive limits): a self-describing string with salt and
// parameters. kInvalidArgument for a password outside 8..1024 bytes.
Result<std::string> HashPassword(std::string_view password);
// Constant time for a given hash; false for a malformed hash.
bool VerifyPassword(std::string_view password, const std::string& hash);

// `bytes` random bytes from the OS CSPRNG, base64url without padding.
std::string RandomToken(size_t bytes);

std::string HexEncode(std::string_view bytes);
Result<std::string> HexDecode(std::string_view hex);
std::string Base64UrlEncode(std::string_view bytes);
Result<std::string> Base64UrlDecode(std::string_view text);
// Standard base64 with padding (RFC 4648 §4), as data: URLs carry it.
std::string Base64Encode(std::string_view bytes);
Result<std::string> Base64Decode(std::string_view text);

// XSalsa20-Poly1305 (libsodium secretbox) under a 32-byte master key. Sealed text is base64url(nonce || box).
class SecretBox {
 public:
  static constexpr size_t kKeySize = 32;
  // Fails unless `key` is exactly kKeySize bytes.
  static Result<SecretBox> Create(std::string_view key);

  std::string Seal(std::string_view plaintext) const;
  // Fails with kInternal when the text was not sealed under this key or was altered.
  Result<std::string> Open(std::string_view sealed) const;
  // A 32-byte key for another use of the server's (HMAC of its own tokens, …), HMAC-SHA256(master key, `purpose`):
  // one secret to keep, and no use reads the sealing key itself. Secret like the master key: never log it.
  std::string DeriveKey(std::string_view purpose) const;

 private:
  std::array<unsigned char, kKeySize> key_{};
};

}  // namespace parley::crypto
