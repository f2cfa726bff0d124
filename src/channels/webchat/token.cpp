#include "channels/webchat/token.h"

#include <algorithm>
#include <charconv>

namespace parley::channels::webchat {
namespace {

constexpr std::string_view kVersion = "v1";
constexpr size_t kMaxTokenBytes = 256;

bool IsVisitorId(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

}  // namespace

VisitorSession VisitorTokens::Open(std::string_view public_id, int64_t now_s) const {
  VisitorSession session;
  session.visitor_id = crypto::RandomToken(12);
  session.expires_s = now_s + kLifetime.count();
  session.token = Sign(public_id, session.visitor_id, session.expires_s);
  return session;
}

std::string VisitorTokens::Sign(std::string_view public_id, std::string_view visitor_id, int64_t expires_s) const {
  return std::string(kVersion) + "." + std::string(visitor_id) + "." + std::to_string(expires_s) + "." +
         Signature(public_id, visitor_id, expires_s);
}

std::string VisitorTokens::Signature(std::string_view public_id, std::string_view visitor_id, int64_t expires_s) const {
  // Newlines cannot occur in any part, so no two (channel, visitor, expiry) sign the same text.
  return crypto::HmacSha256Hex(key_, "parley webchat visitor\n" + std::string(public_id) + "\n" +
                                         std::string(visitor_id) + "\n" + std::to_string(expires_s));
}

Result<std::string> VisitorTokens::Verify(std::string_view token, std::string_view public_id, int64_t now_s) const {
  const Error invalid = Error::Unauthenticated("invalid or expired visitor token: start a new session");
  if (token.size() > kMaxTokenBytes || !token.starts_with(kVersion) || token.size() <= kVersion.size() ||
      token[kVersion.size()] != '.') {
    return invalid;
  }
  std::string_view rest = token.substr(kVersion.size() + 1);
  const size_t first = rest.find('.');
  const size_t second = first == std::string_view::npos ? first : rest.find('.', first + 1);
  if (second == std::string_view::npos) return invalid;
  const std::string_view visitor_id = rest.substr(0, first);
  const std::string_view expiry = rest.substr(first + 1, second - first - 1);
  const std::string_view signature = rest.substr(second + 1);
  int64_t expires_s = 0;
  auto [end, ec] = std::from_chars(expiry.data(), expiry.data() + expiry.size(), expires_s);
  if (!IsVisitorId(visitor_id) || ec != std::errc() || end != expiry.data() + expiry.size() || expires_s <= 0) {
    return invalid;
  }
  if (!crypto::ConstantTimeEquals(signature, Signature(public_id, visitor_id, expires_s))) return invalid;
  if (now_s >= expires_s) return invalid;
  return std::string(visitor_id);
}

}  // namespace parley::channels::webchat
