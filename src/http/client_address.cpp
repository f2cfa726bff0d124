#include "http/client_address.h"

#include "core/config.h"

#include <boost/asio/ip/address_v6.hpp>

#include <optional>

namespace parley::http {
namespace {

namespace ip = boost::asio::ip;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

ip::address Unmapped(const ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return ip::make_address_v4(ip::v4_mapped, address.to_v6());
  }
  return address;
}

std::optional<ip::address> ParseAddress(std::string_view text) {
  boost::system::error_code ec;
  ip::address address = ip::make_address(text, ec);
  if (ec) return std::nullopt;
  return Unmapped(address);
}

// One X-Forwarded-For hop: an address, which some proxies write with a port ("1.2.3.4:80", "[2001:db8::1]:80").
std::optional<ip::address> ParseHop(std::string_view hop) {
  hop = Trim(hop);
  if (hop.starts_with('[')) {
    size_t close = hop.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    return ParseAddress(hop.substr(1, close - 1));
  }
  if (auto address = ParseAddress(hop)) return address;
  if (size_t colon = hop.find(':'); colon != std::string_view::npos && hop.find(':', colon + 1) == std::string::npos) {
    return ParseAddress(hop.substr(0, colon));
  }
  return std::nullopt;
}

}  // namespace

Result<TrustedProxies> TrustedProxies::Parse(std::string_view list) {
  TrustedProxies proxies;
  for (std::string_view entry : SplitListSetting(list)) {
    if (proxies.blocks_.Add(entry)) continue;
    return Error::InvalidArgument("trusted proxy '" + std::string(entry) + "' is not an address or CIDR block");
  }
  return proxies;
}

ip::address ClientAddress(const ip::address& peer, std::string_view forwarded_for, const TrustedProxies& proxies) {
  ip::address client = Unmapped(peer);
  if (!proxies.Contains(client)) return client;
  while (!Trim(forwarded_for).empty()) {
    size_t comma = forwarded_for.rfind(',');
    std::string_view hop = comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1);
    forwarded_for = comma == std::string_view::npos ? std::string_view() : forwarded_for.substr(0, comma);
    auto address = ParseHop(hop);
    if (!address) return client;
    client = *address;
    if (!proxies.Contains(client)) return client;
  }
  return client;
}

std::string LimitKey(const ip::address& address) {
  ip::address plain = Unmapped(address);
  if (plain.is_v4()) return plain.to_string();
  return ip::network_v6(plain.to_v6(), 64).canonical().to_string();
}

}  // namespace parley::http
