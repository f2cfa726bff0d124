#include "api/media_api.h"

#include <boost/json/array.hpp>

#include <charconv>
#include <map>

namespace parley::api {
namespace {

std::optional<int64_t> QueryInt(const http::RouteContext& route, std::string_view name) {
  auto text = route.Query(name);
  if (!text) return std::nullopt;
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || ptr != text->data() + text->size()) return std::nullopt;
  return value;
}

boost::json::value StringOrNull(const std::string& text) {
  return text.empty() ? boost::json::value(nullptr) : boost::json::value(text);
}

// Documents are downloaded, never rendered in Parley's origin; pictures, recordings and videos play inline.
bool ShownInline(std::string_view mime_type) {
  return mime_type.starts_with("image/") || mime_type.starts_with("audio/") || mime_type.starts_with("video/");
}

}  // namespace

boost::json::object MediaJson(const store::MediaRecord* record, const boost::json::object& details,
                              const MediaLinks& links) {
  auto detail = [&details](std::string_view key) -> std::string {
    const auto* value = details.if_contains(key);
    return value && value->is_string() ? std::string(value->as_string()) : std::string();
  };
  boost::json::object media{{"transcript", nullptr}, {"ocr_text", nullptr}, {"thumbnail_url", nullptr}};
  if (record == nullptr) {
    // A message stored before its platform's links had records (migration 0031): the platform's own URL.
    const std::string url = detail("url");
    media["mime_type"] = StringOrNull(detail("mime_type"));
    media["bytes"] = nullptr;
    media["url"] = StringOrNull(url);
    media["status"] = url.empty() ? "failed" : "ready";
    media["error"] = url.empty() ? boost::json::value("not downloaded") : boost::json::value(nullptr);
  } else {
    const bool ready = record->status == store::MediaStatus::kReady;
    media["mime_type"] = StringOrNull(record->mime_type);
    media["bytes"] = record->bytes > 0 ? boost::json::value(record->bytes) : boost::json::value(nullptr);
    media["url"] = nullptr;
    if (ready && !record->file_key.empty()) {
      media["url"] = links.public_url +
                     links.signer.Sign(record->tenant_id, record->public_id, media::Variant::kOriginal, links.now_s);
    } else if (const std::string link = detail("url"); !link.empty() && record->platform_media_id == link) {
      // A record of the platform's link (Instagram, Messenger: kept nowhere) shows through that link, whatever
      // reading it came to. WhatsApp's webhooks may carry a URL too, one that needs the channel's token: never shown.
      media["url"] = link;
    }
    if (ready && !record->thumbnail_key.empty()) {
      media["thumbnail_url"] = links.public_url + links.signer.Sign(record->tenant_id, record->public_id,
                                                                    media::Variant::kThumbnail, links.now_s);
    }
    media["status"] = ToString(record->status);
    media["error"] = StringOrNull(record->error);
    // Known (even empty: nothing said, no text in the picture) or null while not.
    if (record->transcript) media["transcript"] = *record->transcript;
    if (record->ocr_text) media["ocr_text"] = *record->ocr_text;
  }
  if (std::string filename = detail("filename"); !filename.empty()) media["filename"] = filename;
  if (const auto* voice = details.if_contains("voice"); voice && voice->is_bool()) media["voice"] = *voice;
  return media;
}

void AttachMedia(boost::json::array& messages, const std::vector<store::MediaRecord>& records,
                 const MediaLinks& links) {
  std::map<int64_t, const store::MediaRecord*> by_message;
  for (const auto& record : records) by_message[record.message_id] = &record;
  for (auto& item : messages) {
    auto* message = item.if_object();
    if (message == nullptr) continue;
    auto* media = message->if_contains("media");
    if (media == nullptr || !media->is_object()) continue;
    const auto* id = message->if_contains("id");
    auto found = id && id->is_int64() ? by_message.find(id->as_int64()) : by_message.end();
    *media = MediaJson(found == by_message.end() ? nullptr : found->second, media->as_object(), links);
  }
}

void MediaApi::RegisterRoutes(RouteTable& routes) {
  const std::vector<QueryParam> signed_link = {
      {"tenant", R"({"type": "integer"})", "The tenant the link was signed for.", true},
      {"expires", R"({"type": "integer"})", "Unix time the link stops working at.", true},
      {"sig", R"({"type": "string"})", "HMAC-SHA256 of the tenant, media, variant and expiry.", true}};
  routes.Public(http::Verb::get, "/api/media/{public_id}",
                {.summary = "A customer's media file, through a signed link from a message's `media.url`",
                 .tag = "conversations",
                 .query = signed_link,
                 .errors = {403},
                 .media_type = "application/octet-stream"},
                [this](const http::Request&, const http::RouteContext& route) {
                  return Serve(route, media::Variant::kOriginal);
                });
  routes.Public(http::Verb::get, "/api/media/{public_id}/thumbnail",
                {.summary = "An image's thumbnail (JPEG), through a signed link from a message's "
                            "`media.thumbnail_url`",
                 .tag = "conversations",
                 .query = signed_link,
                 .errors = {403},
                 .media_type = "image/jpeg"},
                [this](const http::Request&, const http::RouteContext& route) {
                  return Serve(route, media::Variant::kThumbnail);
                });
}

boost::asio::awaitable<http::Response> MediaApi::Serve(const http::RouteContext& route, media::Variant variant) {
  media::SignedRef ref;
  ref.variant = variant;
  ref.public_id = std::string(route.Param("public_id").value_or(""));
  auto tenant = QueryInt(route, "tenant");
  auto expires = QueryInt(route, "expires");
  ref.signature = std::string(route.Query("sig").value_or(""));
  if (!tenant || !expires) co_return http::ErrorResponse({ErrorCode::kPermissionDenied, "invalid media link", {}});
  ref.tenant_id = *tenant;
  ref.expires_s = *expires;
  const int64_t now_s = clock_.NowMs() / 1000;
  if (auto verified = signer_.Verify(ref, now_s); !verified) co_return http::ErrorResponse(verified.error());
  struct Served {
    std::string bytes;
    std::string mime_type;
  };
  auto load = [this, &ref]() -> Result<Served> {
    auto record = store_.media().GetByPublicId(ref.tenant_id, ref.public_id);
    if (!record) return record.error();
    const std::string& key = ref.variant == media::Variant::kThumbnail ? record->thumbnail_key : record->file_key;
    if (record->status != store::MediaStatus::kReady || key.empty()) return Error::NotFound("no such media");
    auto bytes = files_.Get(ref.tenant_id, key);
    if (!bytes) return bytes.error();
    return Served{std::move(*bytes), ref.variant == media::Variant::kThumbnail ? "image/jpeg" : record->mime_type};
  };
  Result<Served> served = co_await pool_.Run(load);
  if (!served) co_return http::ErrorResponse(served.error());
  http::Response response{http::Status::ok, 11};
  response.set(boost::beast::http::field::content_type, served->mime_type);
  // The link's own lifetime bounds any cache; the bytes under a link never change.
  response.set(boost::beast::http::field::cache_control, "private, max-age=" + std::to_string(ref.expires_s - now_s));
  response.set(boost::beast::http::field::content_disposition,
               ShownInline(served->mime_type) ? "inline" : "attachment");
  response.set("Content-Security-Policy", "default-src 'none'; sandbox");
  response.body() = std::move(served->bytes);
  response.prepare_payload();
  co_return response;
}

}  // namespace parley::api
