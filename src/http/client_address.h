#pragma once
// Which address a request comes from. The TCP peer is the client unless the operator put a reverse proxy in front
// of Parley and said so (PARLEY_TRUSTED_PROXIES): only then is X-Forwarded-For believed, and only the hops that
// trusted proxies appended to it. Every per-address limit (logins, uploads) keys on ClientAddress, so a client
// cannot pick its own key by writing the header.

#include "core/error.h"
#include "http/address_policy.h"

#include <boost/asio/ip/address.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace parley::http {

// The reverse proxies whose X-Forwarded-For is believed. Immutable once parsed; safe to share between threads.
class TrustedProxies {
 public:
  // Parses a comma-separated list of CIDR blocks and bare addresses ("10.0.0.0/8, 127.0.0.1, fd00::/8"); a bare
  // address is one host. An empty list trusts nobody. kInvalidArgument naming the entry that is neither.
  static Result<TrustedProxies> Parse(std::string_view list);

  //! Whether `address` is one of the proxies (an IPv4-mapped IPv6 address is matched as its IPv4 address).
  bool Contains(const boost::asio::ip::address& address) const { return blocks_.Contains(address); }
  bool empty() const { return blocks_.empty(); }

 private:
  AddressBlocks blocks_;
};

// The client's address. `peer` (the TCP peer) unless it is a trusted proxy; then `forwarded_for` (the request's
// X-Forwarded-For values, joined by commas in the order they arrived) is read from the right, skipping the hops
// that are themselves trusted proxies, and the first other address is the client. An entry that is not an
// address ends the walk at the hop to its right, since whoever wrote it is not trusted. IPv4-mapped IPv6
// addresses come back as IPv4. Pure.
boost::asio::ip::address ClientAddress(const boost::asio::ip::address& peer, std::string_view forwarded_for,
                                       const TrustedProxies& proxies);

// The key per-address limits count under: an IPv4 address as written, an IPv6 address by its /64 (one
// subscriber's allocation, from which a client can take as many addresses as it likes).
std::string LimitKey(const boost::asio::ip::address& address);

}  // namespace parley::http
