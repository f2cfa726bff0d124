#pragma once
// Customers' media, as the API shows and serves it (docs/media.md):
//   GET /api/media/{public_id}?tenant=&expires=&sig=             the file, as it came
//   GET /api/media/{public_id}/thumbnail?tenant=&expires=&sig=   an image's thumbnail (JPEG)
// Public routes: the signed link is the credential (media/signed_url.h). A link that was altered, signed by another
// key or has expired answers 403; a media that is not (or no longer) stored answers 404.
// And the `media` object of a message in GET /api/conversations/{id}/messages (MediaJson).

#include "api/route_table.h"
#include "core/blocking_pool.h"
#include "core/clock.h"
#include "media/media_store.h"
#include "media/signed_url.h"
#include "store/media_records.h"
#include "store/store.h"

#include <boost/json/object.hpp>

#include <string>
#include <vector>

namespace parley::api {

// What signing a message's media needs.
struct MediaLinks {
  const media::UrlSigner& signer;
  std::string public_url;  //!< PARLEY_PUBLIC_URL; empty: links are paths on the server's own origin.
  int64_t now_s = 0;
};

// The `media` object of a message: mime_type, bytes, url (signed, expiring; the platform's own URL for media Parley
// does not keep), thumbnail_url (images), transcript and ocr_text (a photo's or a PDF's text; null until known), status
// (pending, ready, failed, refused) and error (the reason, or null). `record` is the message's media record, if it has
// one; `details` its stored details' "media" object (filename, voice, the platform's URL…).
boost::json::object MediaJson(const store::MediaRecord* record, const boost::json::object& details,
                              const MediaLinks& links);

// Replaces the "media" of each message JSON in `messages` (MessageJson's shape) with MediaJson, from `records`.
void AttachMedia(boost::json::array& messages, const std::vector<store::MediaRecord>& records, const MediaLinks& links);

class MediaApi {
 public:
  // Every reference must outlive this.
  MediaApi(store::Store& store, BlockingPool& pool, media::MediaStore& files, const media::UrlSigner& signer,
           const Clock& clock)
      : store_(store), pool_(pool), files_(files), signer_(signer), clock_(clock) {}

  void RegisterRoutes(RouteTable& routes);

 private:
  boost::asio::awaitable<http::Response> Serve(const http::RouteContext& route, media::Variant variant);

  store::Store& store_;
  BlockingPool& pool_;
  media::MediaStore& files_;
  const media::UrlSigner& signer_;
  const Clock& clock_;
};

}  // namespace parley::api
