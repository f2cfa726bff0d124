#pragma once
// Webhook payloads in the exact shapes Meta sends (WhatsApp Cloud API, Instagram Messaging, Messenger), for the
// integration tests.

#include <cstdint>
#include <string>

namespace parley::testing::payloads {

int64_t NowSeconds();

// A customer's text message to the WhatsApp number `phone_number_id`.
std::string WhatsAppText(const std::string& phone_number_id, const std::string& from, const std::string& id,
                         const std::string& text, int64_t timestamp = NowSeconds());

// A customer's message of `type` ("image", "audio", "document", …) to the WhatsApp number, carrying WhatsApp's
// `media_id` as Meta sends it: with `caption` when not empty, and `voice` for audio (a voice note).
std::string WhatsAppMedia(const std::string& phone_number_id, const std::string& from, const std::string& id,
                          const std::string& type, const std::string& media_id, const std::string& mime_type,
                          const std::string& caption = "");

// A customer's text message to the Instagram account `account_id`.
std::string InstagramText(const std::string& account_id, const std::string& from, const std::string& mid,
                          const std::string& text);

// A customer's text message to the Facebook Page `page_id` (Messenger Platform, `messages` field), sent at `at_ms`.
std::string MessengerText(const std::string& page_id, const std::string& from, const std::string& mid,
                          const std::string& text, int64_t at_ms = NowSeconds() * 1000);

// A customer's attachment of `type` ("image", "audio", "video", "file") to the Instagram account or the Facebook Page,
// as Meta sends it: no media id, only `url`, a link to the file on Meta's CDN.
std::string InstagramAttachment(const std::string& account_id, const std::string& from, const std::string& mid,
                                const std::string& type, const std::string& url);
std::string MessengerAttachment(const std::string& page_id, const std::string& from, const std::string& mid,
                                const std::string& type, const std::string& url);

// The echo Instagram sends when the business itself writes to `customer` (from Instagram's app, or through the
// API).
std::string InstagramEcho(const std::string& account_id, const std::string& customer, const std::string& mid,
                          const std::string& text);

}  // namespace parley::testing::payloads
