#pragma once
// Downloading a customer's media from the WhatsApp Cloud API: GET {graph_base_url}/{media-id} answers a URL valid
// for a few minutes ({"messaging_product", "url", "mime_type", "sha256", "file_size", "id"}), which is fetched at
// once with the same bearer token.

#include "channels/channel.h"
#include "core/error.h"
#include "http/client.h"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <string>

namespace parley::channels::whatsapp {

// The media's bytes, or: kPayloadTooLarge when WhatsApp declares more than `max_bytes` (nothing is downloaded);
// kNotFound when WhatsApp knows no such media (deleted, or its 30 days passed); kPermissionDenied when the token is
// refused; kUnavailable or kTimeout when WhatsApp or the network failed, or the bytes do not match the declared
// SHA-256 (worth trying again later); kInvalidArgument when the download URL is refused by the outbound address
// policy (it comes from a response, so it is checked like a URL a tenant typed). Messages are safe to show, details
// never hold the token. `client` must outlive the coroutine.
boost::asio::awaitable<Result<FetchedMedia>> FetchMedia(http::Client& client, std::string graph_base_url,
                                                        std::string access_token, std::string media_id,
                                                        int64_t max_bytes);

}  // namespace parley::channels::whatsapp
