#pragma once
// What every Meta platform's channel shares: its settings, the HTTP client, the GET handshake and the
// X-Hub-Signature-256 check. WhatsApp and Instagram derive from it and add parsing and sending.

#include "channels/channel.h"
#include "http/client.h"

namespace parley::channels::meta {

class MetaChannel : public Channel {
 public:
  std::optional<std::string> VerifyHandshake(std::string_view mode, std::string_view verify_token,
                                             std::string_view challenge) const final;
  bool VerifySignature(std::string_view raw_body, std::string_view signature_header) const final;

 protected:
  // `client` must outlive the channel.
  MetaChannel(PlatformSettings settings, http::Client& client);

  const PlatformSettings settings_;
  http::Client& client_;
};

}  // namespace parley::channels::meta
