#pragma once
// WhatsApp Cloud API channel: verifies Meta's webhooks, parses them (whatsapp/parse.h) and calls
// POST {graph_base_url}/{phone_number_id}/messages for replies and read receipts.

#include <utility>

#include "channels/meta/meta_channel.h"

namespace parley::channels::whatsapp {

class WhatsAppChannel final : public meta::MetaChannel {
 public:
  // `client` must outlive the channel.
  WhatsAppChannel(PlatformSettings settings, http::Client& client);

  Platform platform() const override;
  Result<WebhookEvents> Parse(std::string_view raw_body) const override;

  // One call marks `last_message_id` read and shows "typing…" (WhatsApp needs no contact id for it). An empty
  // `last_message_id` fails without calling out.
  boost::asio::awaitable<SendResult> MarkReadAndTyping(const SendAccount& account, std::string_view contact_id,
                                                       std::string_view last_message_id) override;
  boost::asio::awaitable<SendResult> SendText(const SendAccount& account, std::string_view contact_id,
                                              std::string_view text, std::string_view reply_to,
                                              MessageTag tag) override;
  // POSTs TemplateMessageBody (whatsapp/templates.h): {"type":"template","template":{name, language, components}}.
  boost::asio::awaitable<SendResult> SendTemplate(const SendAccount& account, std::string_view contact_id,
                                                  const TemplateMessage& message) override;
  // Uploads the file (POST /{phone-number-id}/media, multipart: messaging_product, file, type), then sends it by
  // its media id (MediaMessageBody); audio's caption follows as text.
  boost::asio::awaitable<SendResult> SendMedia(const SendAccount& account, std::string_view contact_id,
                                               const OutboundMedia& media, std::string_view caption,
                                               MessageTag tag) override;
  // Retrieve Media URL, then the download (whatsapp/media.h).
  boost::asio::awaitable<Result<FetchedMedia>> FetchMedia(http::Client& client, const SendAccount& account,
                                                          std::string media_id, int64_t max_bytes) override;
};

}  // namespace parley::channels::whatsapp
