#pragma once
// WhatsApp Cloud API channel: verifies Meta's webhooks, parses them (whatsapp/parse.h) and calls
// POST {graph_base_url}/{phone_number_id}/messages for replies and read receipts.

#include "channels/channel.h"
#include "http/client.h"

namespace parley::channels::whatsapp {

class WhatsAppChannel final : public Channel {
 public:
  // `client` must outlive the channel.
  WhatsAppChannel(PlatformSettings settings, http::Client& client);

  Platform platform() const override { return Platform::kWhatsApp; }
  std::optional<std::string> VerifyHandshake(std::string_view mode, std::string_view verify_token,
                                             std::string_view challenge) const override;
  bool VerifySignature(std::string_view raw_body, std::string_view signature_header) const override;
  Result<WebhookEvents> Parse(std::string_view raw_body) const override;

  // One call marks `last_message_id` read and shows "typing…" (WhatsApp needs no contact id for it). An empty
  // `last_message_id` fails without calling out.
  boost::asio::awaitable<SendResult> MarkReadAndTyping(const SendAccount& account, std::string_view contact_id,
                                                       std::string_view last_message_id) override;
  boost::asio::awaitable<SendResult> SendText(const SendAccount& account, std::string_view contact_id,
                                              std::string_view text, std::string_view reply_to) override;

 private:
  const PlatformSettings settings_;
  http::Client& client_;
};

}  // namespace parley::channels::whatsapp
