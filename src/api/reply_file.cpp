#include "api/reply_file.h"

#include "http/multipart.h"
#include "media/fetcher.h"
#include "media/sniff.h"

namespace parley::api {

Result<ReplyUpload> ReadReplyUpload(const http::Request& request, const http::RouteContext& route) {
  auto form = http::ReadForm(request, route);
  if (!form) return form.error();
  ReplyUpload upload;
  bool has_file = false;
  for (const auto& part : form->parts) {
    if (part.name == "file") {
      if (part.file_name.empty()) return Error::InvalidArgument("the file part needs a filename");
      upload.filename = part.file_name;
      upload.bytes = std::string(part.data);
      has_file = true;
    } else if (part.name == "text") {
      upload.caption = std::string(part.data);
    } else {
      return Error::InvalidArgument("unknown part \"" + part.name + "\": a reply's form has \"file\" and \"text\"");
    }
  }
  if (!has_file) return Error::InvalidArgument("multipart body needs a \"file\" part");
  if (upload.bytes.empty()) return Error::InvalidArgument("the file is empty");
  return upload;
}

Result<store::OutboundFile> AdmitReplyFile(const ReplyUpload& upload) {
  auto admitted = media::AdmitUpload(upload.bytes);
  if (!admitted) return admitted.error();
  store::OutboundFile file;
  file.type = admitted->type;
  file.mime_type = std::move(admitted->mime_type);
  file.bytes = static_cast<int64_t>(upload.bytes.size());
  file.filename = upload.filename;
  return file;
}

Result<void> KeepReplyFile(int64_t tenant_id, const ReplyUpload& upload, media::MediaStore& files,
                           const imaging::ImageOptions& image, store::OutboundFile& file) {
  store::MediaRecord record;
  record.tenant_id = tenant_id;
  record.type = file.type;
  const store::MediaOutcome kept = media::Fetcher::Store(record, upload.bytes, file.mime_type, files, image);
  if (kept.status != store::MediaStatus::kReady) {
    return Error::Unavailable("the file could not be kept", kept.error);
  }
  file.file_key = kept.file_key;
  file.thumbnail_key = kept.thumbnail_key;
  file.agent_key = kept.agent_key;
  return Ok();
}

}  // namespace parley::api
