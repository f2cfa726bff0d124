#include "channels/whatsapp/whatsapp_channel.h"

#include <utility>

#include "channels/meta/graph.h"
#include "channels/whatsapp/parse.h"
#include "core/crypto.h"

namespace parley::channels::whatsapp {

WhatsAppChannel::WhatsAppChannel(PlatformSettings settings, http::Client& client)
    : settings_(std::move(settings)), client_(client) {}

std::optional<std::string> WhatsAppChannel::VerifyHandshake(std::string_view mode, std::string_view verify_token,
                                                            std::string_view challenge) const {
  return meta::VerifyHandshake(settings_.verify_token, mode, verify_token, challenge);
}

bool WhatsAppChannel::VerifySignature(std::string_view raw_body, std::string_view signature_header) const {
  return crypto::VerifyHubSignature(settings_.app_secret, raw_body, signature_header);
}

Result<WebhookEvents> WhatsAppChannel::Parse(std::string_view raw_body) const { return ParseWhatsAppWebhook(raw_body); }

boost::asio::awaitable<SendResult> WhatsAppChannel::MarkReadAndTyping(const SendAccount& account,
                                                                      std::string_view contact_id,
                                                                      std::string_view last_message_id) {
  if (last_message_id.empty()) {
    co_return SendResult{{}, MessageError{0, "no message to mark read", {}}};
  }
  co_return co_await meta::PostJson(client_, meta::MessagesUrl(settings_.graph_base_url, account.account_id),
                                    account.access_token, MarkReadBody(last_message_id), &ParseSendResponse, 1);
}

boost::asio::awaitable<SendResult> WhatsAppChannel::SendText(const SendAccount& account, std::string_view contact_id,
                                                             std::string_view text, std::string_view reply_to) {
  co_return co_await meta::PostJson(client_, meta::MessagesUrl(settings_.graph_base_url, account.account_id),
                                    account.access_token, TextMessageBody(contact_id, text, reply_to),
                                    &ParseSendResponse);
}

}  // namespace parley::channels::whatsapp
