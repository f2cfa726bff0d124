#pragma once
// A visitor's file (POST /api/webchat/{public_id}/files, multipart/form-data; docs/channels.md, "Web chat"): the
// form's parts read and checked, and the message the kept file becomes. Pure: no I/O.

#include <string>
#include <string_view>
#include <vector>

#include "channels/platform_routes.h"
#include "core/error.h"
#include "core/message.h"
#include "http/multipart.h"

namespace parley::channels::webchat {

// The parts `file` (with its file name), `client_id` (as a text message's: posting it again stores nothing more) and
// `text`, optional, the file's caption.
struct FilePost {
  std::string client_id;
  std::string caption;     //!< At most kMaxTextChars characters; may be empty.
  std::string filename;    //!< As the browser names it, path components removed by the multipart parser.
  std::string_view bytes;  //!< A view into the form, which must outlive it.
};

// kInvalidArgument naming the part: no `file` part, one without a file name or empty, a missing or malformed
// `client_id`, a caption over kMaxTextChars characters, a part of another name.
Result<FilePost> ReadFilePost(const std::vector<http::FormPart>& parts);

// The message a kept file becomes: of its type, carrying its media (its key in the media store as the media id, the
// sniffed MIME type, the file name), the caption as its text (none when empty), the client id as its platform id.
// Its account and contact are left empty, for the route to fill in, as ParseMessagePost leaves them.
WebhookEvents FileMessage(const FilePost& post, const KeptUpload& kept);

}  // namespace parley::channels::webchat
