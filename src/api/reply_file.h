#pragma once
// A person's file in a reply from the inbox (POST /api/conversations/{id}/messages as multipart/form-data: the `file`
// part and an optional `text` part, its caption): read and checked before anything is stored, then kept in the
// media store like a customer's file (docs/media.md, "Media in replies").

#include "core/error.h"
#include "http/http.h"
#include "imaging/image.h"
#include "media/media_store.h"
#include "store/store.h"

#include <string>

namespace parley::api {

struct ReplyUpload {
  std::string caption;
  std::string filename;  //!< Path components removed by the parser; never empty.
  std::string bytes;
};

// Reads the form. kInvalidArgument without a `file` part with a filename, for an empty file, or for a part other than
// `file` and `text`.
Result<ReplyUpload> ReadReplyUpload(const http::Request& request, const http::RouteContext& route);

// What the file is sent as, from its bytes (media::AdmitUpload), never from the upload's Content-Type or name.
// kPayloadTooLarge or kUnsupportedMediaType with the reason (safe to show). Pure; reads the first bytes.
Result<store::OutboundFile> AdmitReplyFile(const ReplyUpload& upload);

// Keeps the file AdmitReplyFile admitted in `files` for the tenant (an image with its thumbnail and resized copy; not
// admitted again), filling its keys. kUnavailable when it cannot be written. Blocking: on the blocking pool.
Result<void> KeepReplyFile(int64_t tenant_id, const ReplyUpload& upload, media::MediaStore& files,
                           const imaging::ImageOptions& image, store::OutboundFile& file);

}  // namespace parley::api
