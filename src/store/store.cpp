#include "store/store.h"

#include "core/crypto.h"
#include "core/json.h"

#include <boost/json/parse.hpp>

namespace parley::store {

std::string NewPublicId() { return crypto::RandomToken(12); }

std::string_view ToString(CommentReply r) {
  switch (r) {
    case CommentReply::kPublic:
      return "public";
    case CommentReply::kPrivate:
      return "private";
    case CommentReply::kNone:
      break;
  }
  return "";
}

CommentReply ParseCommentReply(std::string_view s) {
  if (s == "public") return CommentReply::kPublic;
  if (s == "private") return CommentReply::kPrivate;
  return CommentReply::kNone;
}

std::optional<std::string> OutboundDetailsJson(const OutboundDraft& draft) {
  boost::json::object details;
  if (!draft.reply_to.empty()) details["reply_to"] = draft.reply_to;
  if (draft.comment_reply != CommentReply::kNone) details["comment_reply"] = ToString(draft.comment_reply);
  if (details.empty()) return std::nullopt;
  return SerializeJson(details);
}

Result<void> CheckPersonReply(const std::string& text, const std::optional<TemplateMessage>& message_template,
                              const std::optional<OutboundFile>& file) {
  if (!file) {
    if (text.empty()) return Error::InvalidArgument("text must not be empty");
    return Ok();
  }
  if (message_template) return Error::InvalidArgument("a template carries no file");
  switch (file->type) {
    case MessageType::kImage:
    case MessageType::kAudio:
    case MessageType::kVideo:
    case MessageType::kDocument:
      break;
    default:
      return Error::InvalidArgument("a file is an image, audio, a video or a document");
  }
  if (file->file_key.empty()) return Error::InvalidArgument("the file is not kept");
  return Ok();
}

boost::json::object PersonFileJson(const OutboundFile& file) {
  boost::json::object media{{"mime_type", file.mime_type}, {"sha256", file.file_key}};
  if (!file.filename.empty()) media["filename"] = file.filename;
  return media;
}

boost::json::object ChannelSettingsFromText(std::string_view text) {
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(text, ec);
  if (ec || !parsed.is_object()) return {};
  return std::move(parsed.as_object());
}

Result<Tenant> Store::CreateTenant(const std::string& name, const std::string& api_key_hash) {
  return CreateTenant(name, NewApiKey{0, "default", api_key_hash.substr(0, 8), "owner", api_key_hash});
}

Result<CommitResult> Store::CommitReply(const Claim& claim, const std::optional<OutboundDraft>& reply, int64_t now_ms,
                                        int64_t* outbound_id) {
  Reply full;
  if (reply) full.messages.push_back(*reply);
  std::vector<int64_t> ids;
  auto committed = CommitReply(claim, full, now_ms, &ids);
  if (committed && outbound_id != nullptr) *outbound_id = ids.empty() ? 0 : ids.front();
  return committed;
}

}  // namespace parley::store
