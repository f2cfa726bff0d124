#include "http/address_policy.h"

#include "core/config.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <optional>

namespace parley::http {
namespace {

namespace ip = boost::asio::ip;

struct V4Block {
  uint32_t network;
  int prefix;
  AddressClass address_class;
};

constexpr uint32_t V4(uint32_t a, uint32_t b, uint32_t c, uint32_t d) { return a << 24 | b << 16 | c << 8 | d; }

// IANA's special-purpose IPv4 registry, minus the few globally reachable anycast entries nobody would fetch a page
// from. The broadcast address comes before 240.0.0.0/4, which holds it.
constexpr std::array<V4Block, 16> kV4Blocks{{
    {V4(0, 0, 0, 0), 8, AddressClass::kUnspecified},
    {V4(10, 0, 0, 0), 8, AddressClass::kPrivate},
    {V4(100, 64, 0, 0), 10, AddressClass::kSharedNat},
    {V4(127, 0, 0, 0), 8, AddressClass::kLoopback},
    {V4(169, 254, 0, 0), 16, AddressClass::kLinkLocal},
    {V4(172, 16, 0, 0), 12, AddressClass::kPrivate},
    {V4(192, 0, 0, 0), 24, AddressClass::kReserved},    // IETF protocol assignments.
    {V4(192, 0, 2, 0), 24, AddressClass::kReserved},    // TEST-NET-1.
    {V4(192, 88, 99, 0), 24, AddressClass::kReserved},  // 6to4 relay anycast (deprecated).
    {V4(192, 168, 0, 0), 16, AddressClass::kPrivate},
    {V4(198, 18, 0, 0), 15, AddressClass::kReserved},    // Benchmarking.
    {V4(198, 51, 100, 0), 24, AddressClass::kReserved},  // TEST-NET-2.
    {V4(203, 0, 113, 0), 24, AddressClass::kReserved},   // TEST-NET-3.
    {V4(224, 0, 0, 0), 4, AddressClass::kMulticast},
    {V4(255, 255, 255, 255), 32, AddressClass::kBroadcast},
    {V4(240, 0, 0, 0), 4, AddressClass::kReserved},
}};

bool InV4Block(uint32_t address, uint32_t network, int prefix) {
  const uint32_t mask = prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix);
  return (address & mask) == (network & mask);
}

AddressClass ClassifyV4(const ip::address_v4& address) {
  const uint32_t value = address.to_uint();
  for (const V4Block& block : kV4Blocks) {
    if (InV4Block(value, block.network, block.prefix)) return block.address_class;
  }
  return AddressClass::kPublic;
}

using V6Bytes = ip::address_v6::bytes_type;

// Whether the first `prefix` bits of `bytes` equal those of `network`.
bool InV6Prefix(const V6Bytes& bytes, const V6Bytes& network, int prefix) {
  for (int bit = 0; bit < prefix; bit += 8) {
    const auto index = static_cast<size_t>(bit / 8);
    const auto mask = static_cast<uint8_t>(0xFF00 >> std::min(8, prefix - bit));
    if ((bytes[index] & mask) != (network[index] & mask)) return false;
  }
  return true;
}

// The same with the network's leading bytes written out (the rest are zero).
bool InV6Block(const V6Bytes& bytes, std::initializer_list<uint8_t> leading, int prefix) {
  V6Bytes network{};
  std::copy(leading.begin(), leading.end(), network.begin());
  return InV6Prefix(bytes, network, prefix);
}

ip::address_v4 V4At(const V6Bytes& bytes, size_t offset) {
  return ip::address_v4(
      ip::address_v4::bytes_type{bytes[offset], bytes[offset + 1], bytes[offset + 2], bytes[offset + 3]});
}

// The IPv4 address an IPv6 address carries, for the forms that deliver to it.
std::optional<ip::address_v4> EmbeddedV4(const ip::address_v6& address) {
  const V6Bytes bytes = address.to_bytes();
  if (address.is_v4_mapped()) return V4At(bytes, 12);
  if (InV6Block(bytes, {0x00, 0x64, 0xff, 0x9b}, 96)) return V4At(bytes, 12);  // NAT64's well-known prefix.
  if (InV6Block(bytes, {0x20, 0x02}, 16)) return V4At(bytes, 2);               // 6to4.
  // IPv4-compatible (deprecated) is ::/96 less :: and ::1, which keep their own meaning.
  if (InV6Block(bytes, {}, 96) && !address.is_unspecified() && !address.is_loopback()) return V4At(bytes, 12);
  return std::nullopt;
}

AddressClass ClassifyV6(const ip::address_v6& address) {
  if (address.is_unspecified()) return AddressClass::kUnspecified;
  if (address.is_loopback()) return AddressClass::kLoopback;
  if (auto v4 = EmbeddedV4(address)) return ClassifyV4(*v4);
  const V6Bytes bytes = address.to_bytes();
  if (InV6Block(bytes, {0xff}, 8)) return AddressClass::kMulticast;
  if (InV6Block(bytes, {0xfe, 0x80}, 10)) return AddressClass::kLinkLocal;
  if (InV6Block(bytes, {0xfe, 0xc0}, 10) || InV6Block(bytes, {0xfc}, 7)) return AddressClass::kUniqueLocal;
  // Only 2000::/3 is global unicast (so local-use NAT64, 64:ff9b:1::/48, is not); inside it, the IETF assignments
  // (Teredo, benchmarking, ORCHID, …) and the documentation prefixes are not destinations a page lives at.
  if (!InV6Block(bytes, {0x20}, 3) || InV6Block(bytes, {0x20, 0x01, 0x00, 0x00}, 23) ||
      InV6Block(bytes, {0x20, 0x01, 0x0d, 0xb8}, 32) || InV6Block(bytes, {0x3f, 0xff}, 20)) {
    return AddressClass::kReserved;
  }
  return AddressClass::kPublic;
}

std::string NormalizedHost(std::string_view host) {
  std::string out(host);
  if (!out.empty() && out.back() == '.') out.pop_back();
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// Letters, digits, '-', '_' and dots, with a last label that is not a number: "10.1" or "0x7f000001" would be
// read as an address by the resolver, so they are refused rather than taken as names.
bool IsHostName(std::string_view name) {
  if (name.empty() || !std::all_of(name.begin(), name.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '-' || c == '.' || c == '_';
      })) {
    return false;
  }
  if (name.back() == '.') name.remove_suffix(1);
  const std::string_view last = name.substr(name.rfind('.') == std::string_view::npos ? 0 : name.rfind('.') + 1);
  const bool hex = last.size() > 2 && last[0] == '0' && (last[1] == 'x' || last[1] == 'X') &&
                   std::all_of(last.begin() + 2, last.end(), [](unsigned char c) { return std::isxdigit(c); });
  return !last.empty() && !hex &&
         !std::all_of(last.begin(), last.end(), [](unsigned char c) { return std::isdigit(c); });
}

}  // namespace

std::string_view ToString(AddressClass address_class) {
  switch (address_class) {
    case AddressClass::kPublic:
      return "public";
    case AddressClass::kLoopback:
      return "loopback";
    case AddressClass::kUnspecified:
      return "unspecified";
    case AddressClass::kPrivate:
      return "private";
    case AddressClass::kSharedNat:
      return "carrier-grade NAT";
    case AddressClass::kLinkLocal:
      return "link-local";
    case AddressClass::kUniqueLocal:
      return "unique-local";
    case AddressClass::kMulticast:
      return "multicast";
    case AddressClass::kBroadcast:
      return "broadcast";
    case AddressClass::kReserved:
      return "reserved";
  }
  return "reserved";
}

AddressClass Classify(const ip::address& address) {
  return address.is_v4() ? ClassifyV4(address.to_v4()) : ClassifyV6(address.to_v6());
}

bool AddressBlocks::Add(std::string_view entry) {
  const std::string text(entry);
  boost::system::error_code ec;
  if (text.find('/') == std::string::npos) {
    const ip::address address = ip::make_address(text, ec);
    if (ec) return false;
    if (address.is_v4()) {
      v4_.emplace_back(address.to_v4(), 32);
    } else {
      v6_.emplace_back(address.to_v6(), 128);
    }
    return true;
  }
  if (text.find(':') == std::string::npos) {
    const ip::network_v4 network = ip::make_network_v4(text, ec);
    if (!ec) v4_.push_back(network.canonical());
  } else {
    const ip::network_v6 network = ip::make_network_v6(text, ec);
    if (!ec) v6_.push_back(network.canonical());
  }
  return !ec;
}

bool AddressBlocks::Contains(const ip::address& address) const {
  std::optional<ip::address_v4> v4;
  if (address.is_v4()) {
    v4 = address.to_v4();
  } else {
    const V6Bytes bytes = address.to_v6().to_bytes();
    for (const auto& network : v6_) {
      if (InV6Prefix(bytes, network.network().to_bytes(), network.prefix_length())) return true;
    }
    v4 = EmbeddedV4(address.to_v6());
  }
  if (!v4) return false;
  return std::any_of(v4_.begin(), v4_.end(), [value = v4->to_uint()](const ip::network_v4& network) {
    return InV4Block(value, network.network().to_uint(), network.prefix_length());
  });
}

Result<OutboundAllowList> OutboundAllowList::Parse(std::string_view list) {
  OutboundAllowList allow;
  for (std::string_view entry : SplitListSetting(list)) {
    if (allow.blocks_.Add(entry)) continue;
    // A name never holds '/' or ':', so a malformed block or address is not mistaken for one.
    if (!IsHostName(entry)) {
      std::string message = "'";
      message.append(entry).append("' is neither a CIDR block, an address nor a host name");
      return Error::InvalidArgument(std::move(message));
    }
    allow.hosts_.push_back(NormalizedHost(entry));
  }
  return allow;
}

bool OutboundAllowList::AllowsHost(std::string_view host) const {
  const std::string normalized = NormalizedHost(host);
  return std::find(hosts_.begin(), hosts_.end(), normalized) != hosts_.end();
}

Result<void> CheckTenantDestination(const OutboundAllowList& allow, std::string_view host, const ip::address& address) {
  if (allow.AllowsHost(host)) return Ok();
  const AddressClass address_class = Classify(address);
  if (address_class == AddressClass::kPublic || allow.AllowsAddress(address)) return Ok();
  const std::string shown = address.to_string();
  const std::string what = shown + " (" + std::string(ToString(address_class)) + ")";
  return Error::InvalidArgument((NormalizedHost(host) == shown ? what : std::string(host) + " resolves to " + what) +
                                "; only public addresses can be reached");
}

}  // namespace parley::http
