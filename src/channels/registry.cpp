#include "channels/registry.h"

#include <algorithm>
#include <memory>

#include "channels/channel.h"
#include "channels/platform.h"

namespace parley::channels {

// Each platform's Plugin(), declared from platforms.inc; the registry lists them in the same order.
#define PARLEY_PLATFORM(folder)   \
  namespace folder {              \
  const PlatformPlugin& Plugin(); \
  }
#include "channels/platforms.inc"
#undef PARLEY_PLATFORM

std::span<const PlatformPlugin* const> Platforms() {
  static const std::vector<const PlatformPlugin*> platforms{
#define PARLEY_PLATFORM(folder) &folder::Plugin(),
#include "channels/platforms.inc"
#undef PARLEY_PLATFORM
  };
  return platforms;
}

const PlatformPlugin* FindPlatform(std::string_view name) {
  for (const PlatformPlugin* plugin : Platforms()) {
    if (plugin->name == name) return plugin;
  }
  return nullptr;
}

const PlatformTraits& TraitsOf(const Platform& platform) {
  static const PlatformTraits kUnregistered;
  const PlatformPlugin* plugin = FindPlatform(platform);
  return plugin == nullptr ? kUnregistered : plugin->traits;
}

std::vector<ConfigKey> PlatformConfigKeys() {
  std::vector<ConfigKey> keys;
  for (const PlatformPlugin* plugin : Platforms()) {
    for (const ConfigKey* key : {&plugin->webhook.app_secret, &plugin->webhook.verify_token}) {
      if (!key->name.empty()) keys.push_back(*key);
    }
    keys.insert(keys.end(), plugin->settings.begin(), plugin->settings.end());
  }
  return keys;
}

std::string PlatformNames() {
  std::string names;
  const auto platforms = Platforms();
  for (size_t i = 0; i < platforms.size(); ++i) {
    if (i > 0) names += i + 1 == platforms.size() ? " or " : ", ";
    names += platforms[i]->name;
  }
  return names;
}

ChannelSet MakeChannels(const Config& config, http::Client& client) {
  ChannelSet set;
  for (const PlatformPlugin* plugin : Platforms()) set.Add(plugin->make_channel(config, client));
  return set;
}

void ChannelSet::Add(std::unique_ptr<Channel> channel) {
  const Platform platform = channel->platform();
  std::erase_if(channels_, [&](const auto& c) { return c->platform() == platform; });
  channels_.push_back(std::move(channel));
}

Channel* ChannelSet::Get(const Platform& platform) const {
  for (const auto& channel : channels_) {
    if (channel->platform() == platform) return channel.get();
  }
  return nullptr;
}

std::string PlatformPlugin::webhook_path() const {
  if (webhook.verification == WebhookSpec::Verification::kNone) return {};
  std::string path = "/api/" + std::string(name) + "/webhook";
  if (webhook.verification == WebhookSpec::Verification::kChannelSecret) path += "/{public_id}";
  return path;
}

std::string PlatformPlugin::ChannelWebhookUrl(std::string_view public_url, std::string_view public_id) const {
  while (!public_url.empty() && public_url.back() == '/') public_url.remove_suffix(1);
  return std::string(public_url) + "/api/" + std::string(name) + "/webhook/" + std::string(public_id);
}

SendResult Channel::Unsupported(std::string_view what) const {
  const PlatformPlugin* plugin = FindPlatform(platform());
  const std::string name = plugin != nullptr ? std::string(plugin->display_name) : std::string(ToString(platform()));
  return SendResult{{}, MessageError{0, name + " has no " + std::string(what), {}}};
}

boost::asio::awaitable<Result<ContactProfile>> Channel::LookUpProfile(const SendAccount&, std::string) {
  co_return ContactProfile{};
}

boost::asio::awaitable<SendResult> Channel::SendTemplate(const SendAccount&, std::string_view, const TemplateMessage&) {
  co_return Unsupported("message templates");
}

boost::asio::awaitable<SendResult> Channel::SendMedia(const SendAccount&, std::string_view, const OutboundMedia&,
                                                      std::string_view, MessageTag) {
  co_return Unsupported("media replies");
}

boost::asio::awaitable<SendResult> Channel::ReplyToComment(const SendAccount&, std::string_view, std::string_view,
                                                           bool) {
  co_return Unsupported("comments");
}

boost::asio::awaitable<SendResult> Channel::ModerateComment(const SendAccount&, std::string_view, CommentModeration) {
  co_return Unsupported("comments");
}

std::string Channel::WebhookSecret(std::string_view, std::string_view) const { return {}; }

boost::asio::awaitable<Result<void>> Channel::RegisterWebhook(const SendAccount&, std::string, std::string) {
  co_return Ok();
}

boost::asio::awaitable<Result<FetchedMedia>> Channel::FetchMedia(http::Client&, const SendAccount&, std::string,
                                                                 int64_t) {
  co_return Error::InvalidArgument("downloading media is not supported on this platform");
}

std::optional<boost::json::object> Channel::WebhookAnswer(const WebhookEvents&) const { return std::nullopt; }

const ChannelField* PlatformPlugin::Field(ChannelField::Target target) const {
  auto it = std::find_if(fields.begin(), fields.end(), [&](const ChannelField& f) { return f.target == target; });
  return it == fields.end() ? nullptr : &*it;
}

}  // namespace parley::channels
