#include "channels/meta/meta_channel.h"

#include <utility>

#include "channels/meta/graph.h"
#include "core/crypto.h"

namespace parley::channels::meta {

MetaChannel::MetaChannel(PlatformSettings settings, http::Client& client)
    : settings_(std::move(settings)), client_(client) {}

std::optional<std::string> MetaChannel::VerifyHandshake(std::string_view mode, std::string_view verify_token,
                                                        std::string_view challenge) const {
  return meta::VerifyHandshake(settings_.verify_token, mode, verify_token, challenge);
}

bool MetaChannel::VerifySignature(std::string_view raw_body, std::string_view signature_header) const {
  return crypto::VerifyHubSignature(settings_.app_secret, raw_body, signature_header);
}

}  // namespace parley::channels::meta
