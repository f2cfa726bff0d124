#include "channels/whatsapp/media.h"

#include "core/crypto.h"

#include <boost/json/parse.hpp>

#include <charconv>

namespace parley::channels::whatsapp {
namespace {

// A Graph API answer that is not a success, as an error of the kind that says whether to try again.
Error GraphFailure(const http::ClientResponse& response, std::string_view step) {
  std::string detail = std::string(step) + ": HTTP " + std::to_string(response.status);
  if (response.status == 429 || response.status >= 500) {
    return Error::Unavailable("WhatsApp did not deliver the media", detail);
  }
  if (response.status == 401 || response.status == 403) {
    return {ErrorCode::kPermissionDenied, "WhatsApp refused the channel's access token", detail};
  }
  return {ErrorCode::kNotFound, "WhatsApp no longer has this media", detail};
}

int64_t ParseFileSize(const boost::json::value& value) {
  // Meta sends file_size as a string ("303833"); a number is taken too.
  if (value.is_int64()) return value.as_int64();
  if (!value.is_string()) return -1;
  std::string_view text = value.as_string();
  int64_t size = -1;
  std::from_chars(text.data(), text.data() + text.size(), size);
  return size;
}

}  // namespace

boost::asio::awaitable<Result<FetchedMedia>> FetchMedia(http::Client& client, std::string graph_base_url,
                                                        std::string access_token, std::string media_id,
                                                        int64_t max_bytes) {
  while (graph_base_url.ends_with('/')) graph_base_url.pop_back();
  const std::pair<std::string, std::string> bearer{"Authorization", "Bearer " + access_token};
  http::ClientRequest lookup;
  lookup.url = graph_base_url + "/" + media_id;
  lookup.headers = {bearer};
  auto described = co_await client.Send(std::move(lookup));
  if (!described) co_return described.error();
  if (described->status != 200) co_return GraphFailure(*described, "GET media");
  boost::system::error_code ec;
  boost::json::value body = boost::json::parse(described->body, ec);
  const auto* fields = ec ? nullptr : body.if_object();
  const auto* url = fields ? fields->if_contains("url") : nullptr;
  if (url == nullptr || !url->is_string()) {
    co_return Error::Unavailable("WhatsApp did not deliver the media", "GET media: no url in the answer");
  }
  FetchedMedia media;
  if (const auto* mime = fields->if_contains("mime_type"); mime && mime->is_string()) {
    media.declared_mime_type = std::string(mime->as_string());
  }
  if (const auto* size = fields->if_contains("file_size"); size && ParseFileSize(*size) > max_bytes) {
    co_return MediaTooLarge(max_bytes, "declared " + std::to_string(ParseFileSize(*size)) + " bytes");
  }
  http::ClientRequest download;
  download.url = std::string(url->as_string());
  download.headers = {bearer};
  download.url_source = http::UrlSource::kTenant;
  auto fetched = co_await client.Send(std::move(download));
  if (!fetched) co_return fetched.error();
  if (fetched->status != 200) co_return GraphFailure(*fetched, "download");
  if (static_cast<int64_t>(fetched->body.size()) > max_bytes) {
    co_return MediaTooLarge(max_bytes, std::to_string(fetched->body.size()) + " bytes");
  }
  // The answer's sha256 is hex; other encodings (webhooks carry base64) are not compared.
  if (const auto* sha = fields->if_contains("sha256"); sha && sha->is_string() && sha->as_string().size() == 64) {
    if (crypto::Sha256Hex(fetched->body) != std::string_view(sha->as_string())) {
      co_return Error::Unavailable("WhatsApp did not deliver the media", "download: SHA-256 mismatch");
    }
  }
  media.bytes = std::move(fetched->body);
  co_return media;
}

}  // namespace parley::channels::whatsapp
