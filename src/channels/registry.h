#pragma once
// The platforms Parley knows: each one's PlatformPlugin, listed by channels/platforms.inc (one line a platform).

#include <span>
#include <string_view>
#include <vector>

#include "channels/channel.h"
#include "channels/platform.h"
#include "core/config.h"
#include "core/message.h"
#include "http/client.h"

namespace parley::channels {

// Every platform, in platforms.inc's order (the API reference's, the docs' and the dashboard's).
std::span<const PlatformPlugin* const> Platforms();

// The platform of that name; nullptr when none is registered.
const PlatformPlugin* FindPlatform(std::string_view name);
inline const PlatformPlugin* FindPlatform(const Platform& platform) { return FindPlatform(platform.name()); }

// The platform's traits. A platform no longer registered (its stored rows outlived it) gets default ones: 1,000
// plain characters, no indicators, no window rule (nothing is sent there: it has no channel).
const PlatformTraits& TraitsOf(const Platform& platform);

// The platforms' configuration keys (their webhook secrets and verify tokens), for LoadConfig and ConfigMarkdown.
std::vector<ConfigKey> PlatformConfigKeys();

// "whatsapp, instagram or messenger": the names, for messages that list them.
std::string PlatformNames();

// One live channel per platform, from `config`. `client` must outlive the set.
ChannelSet MakeChannels(const Config& config, http::Client& client);

}  // namespace parley::channels
