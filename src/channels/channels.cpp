#include <memory>

#include "channels/channel.h"
#include "channels/instagram/instagram_channel.h"
#include "channels/whatsapp/whatsapp_channel.h"

namespace parley::channels {

ChannelSet MakeChannels(const PlatformSettings& whatsapp, const PlatformSettings& instagram, http::Client& client) {
  ChannelSet set;
  set.whatsapp = std::make_unique<whatsapp::WhatsAppChannel>(whatsapp, client);
  set.instagram = std::make_unique<instagram::InstagramChannel>(instagram, client);
  return set;
}

}  // namespace parley::channels
