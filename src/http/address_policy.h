#pragma once
// Which addresses a URL that a tenant supplied may reach. A tenant can type any URL (a knowledge page, its own
// model endpoint); Parley fetches it from inside the host, where loopback services, the cloud metadata endpoint
// and the private network answer. So the client decides on every address a tenant URL's host resolves to, and
// only public unicast addresses pass, unless the operator opened a destination (PARLEY_OUTBOUND_ALLOW). The
// operator's own configuration (PARLEY_LLM_BASE_URL, PARLEY_GRAPH_API_BASE_URL, …) is trusted and never checked.

#include "core/error.h"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace parley::http {

// What kind of destination an address is. Everything but kPublic is refused for a tenant-supplied URL.
enum class AddressClass {
  kPublic,       //!< Global unicast.
  kLoopback,     //!< 127.0.0.0/8, ::1.
  kUnspecified,  //!< 0.0.0.0/8 ("this network": Linux connects 0.0.0.0 to loopback), ::.
  kPrivate,      //!< 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16.
  kSharedNat,    //!< 100.64.0.0/10, carrier-grade NAT.
  kLinkLocal,    //!< 169.254.0.0/16 (cloud metadata at 169.254.169.254), fe80::/10.
  kUniqueLocal,  //!< fc00::/7, and the deprecated site-local fec0::/10.
  kMulticast,    //!< 224.0.0.0/4, ff00::/8.
  kBroadcast,    //!< 255.255.255.255.
  kReserved,     //!< Documentation, benchmarking, protocol assignments, 240.0.0.0/4, IPv6 outside 2000::/3, Teredo.
};

//! "public", "loopback", "unspecified", "private", "carrier-grade NAT", "link-local", "unique-local", "multicast",
//! "broadcast", "reserved".
std::string_view ToString(AddressClass address_class);

// Pure (no I/O). IPv6 forms that carry an IPv4 address are classified by the IPv4 address they carry, since that
// is where a connection to them ends up: IPv4-mapped ::ffff:a.b.c.d, IPv4-compatible ::a.b.c.d, NAT64
// 64:ff9b::a.b.c.d and 6to4 2002:aabb:ccdd::/48.
AddressClass Classify(const boost::asio::ip::address& address);

// A set of CIDR blocks. Immutable once parsed; safe to share between threads.
class AddressBlocks {
 public:
  // Adds `entry` when it is a CIDR block ("10.20.0.0/16", "fd00::/8") or a bare address (one host: /32 or /128);
  // false, leaving the set as it was, when it is neither.
  bool Add(std::string_view entry);
  //! Whether a block holds `address`; an IPv6 form carrying an IPv4 address (see Classify) is also matched as it.
  bool Contains(const boost::asio::ip::address& address) const;
  bool empty() const { return v4_.empty() && v6_.empty(); }

 private:
  std::vector<boost::asio::ip::network_v4> v4_;
  std::vector<boost::asio::ip::network_v6> v6_;
};

// The operator's exceptions for tenant-supplied URLs (PARLEY_OUTBOUND_ALLOW): CIDR blocks, bare addresses and
// host names. An empty list allows public addresses only. Immutable once parsed; safe to share between threads.
class OutboundAllowList {
 public:
  // Parses a comma-separated list, e.g. "10.20.0.0/16, fd00::/8, 192.168.1.7, wiki.internal". A name is matched
  // exactly (case and a trailing dot ignored), and then every address it resolves to is allowed.
  // kInvalidArgument naming the entry that is neither a block, an address nor a host name.
  static Result<OutboundAllowList> Parse(std::string_view list);

  bool AllowsHost(std::string_view host) const;
  bool AllowsAddress(const boost::asio::ip::address& address) const { return blocks_.Contains(address); }
  bool empty() const { return blocks_.empty() && hosts_.empty(); }

 private:
  AddressBlocks blocks_;
  std::vector<std::string> hosts_;  //!< Lower case, no trailing dot.
};

// The decision for one address that `host` (a tenant-supplied URL's host, as written) is or resolves to: Ok when
// the address is public or `allow` opens the host or the address; otherwise kInvalidArgument whose message names
// the address and its class ("127.0.0.1 is a loopback address"), which is safe to show to the tenant.
Result<void> CheckTenantDestination(const OutboundAllowList& allow, std::string_view host,
                                    const boost::asio::ip::address& address);

}  // namespace parley::http
