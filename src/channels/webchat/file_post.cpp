#include "channels/webchat/file_post.h"

#include "channels/webchat/parse.h"

namespace parley::channels::webchat {

Result<FilePost> ReadFilePost(const std::vector<http::FormPart>& parts) {
  FilePost post;
  bool has_file = false;
  for (const http::FormPart& part : parts) {
    if (part.name == "file") {
      if (part.file_name.empty()) return Error::InvalidArgument("the file part needs a filename");
      post.filename = part.file_name;
      post.bytes = part.data;
      has_file = true;
    } else if (part.name == "client_id") {
      post.client_id = std::string(part.data);
    } else if (part.name == "text") {
      post.caption = std::string(part.data);
    } else {
      return Error::InvalidArgument("unknown part \"" + part.name +
                                    "\": a file's form has \"file\", \"client_id\" and "
                                    "\"text\"");
    }
  }
  if (!has_file) return Error::InvalidArgument("multipart body needs a \"file\" part");
  if (post.bytes.empty()) return Error::InvalidArgument("the file is empty");
  if (!IsClientId(post.client_id)) {
    return Error::InvalidArgument("client_id must be 1 to 64 letters, digits, '-' or '_' (a UUID)");
  }
  if (CodePoints(post.caption) > kMaxTextChars) return Error::InvalidArgument("text must be at most 4096 characters");
  return post;
}

WebhookEvents FileMessage(const FilePost& post, const KeptUpload& kept) {
  UnifiedMessage message;
  message.platform = Platform(kName);
  message.platform_message_id = post.client_id;
  message.type = kept.type;
  if (!post.caption.empty()) message.text = post.caption;
  message.media = Media{.id = kept.key, .mime_type = kept.mime_type, .filename = post.filename};
  WebhookEvents events;
  events.messages.push_back(std::move(message));
  return events;
}

}  // namespace parley::channels::webchat
