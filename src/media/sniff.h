#pragma once
// What a media file really is, read from its first bytes (magic numbers), never from what a header or the platform
// claims, and whether a message of a given type may carry it: the size limit of its kind (WhatsApp's own limits:
// image 5 MB, audio and video 16 MB, document 100 MB, sticker 500 KB) and the types that kind takes.

#include "core/error.h"
#include "core/message.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley::media {

enum class MediaKind { kImage, kAudio, kVideo, kDocument, kSticker };

// The kind of media a message type carries; nullopt for types without media (text, location, …).
std::optional<MediaKind> KindOf(MessageType type);

// The largest file a message of `kind` may carry, in bytes.
int64_t MaxBytes(MediaKind kind);

// The content type of `bytes` by its magic number: image/jpeg, image/png, image/gif, image/webp, audio/ogg,
// audio/amr, audio/mpeg, audio/aac, audio/mp4, video/mp4, video/3gpp, application/pdf, the Office Open XML types
// (docx, xlsx, pptx), application/zip, application/x-ole-storage (older Office files) and text/plain (valid UTF-8
// without control bytes). nullopt when none matches. Pure; reads at most the first 64 KiB.
std::optional<std::string> SniffContentType(std::string_view bytes);

// True for the image types Parley decodes (JPEG, PNG, GIF, WebP): those get a resized copy and a thumbnail.
bool IsDecodableImage(std::string_view mime_type);

// Whether a message of `type` may carry `bytes`: the sniffed content type when it may; kPayloadTooLarge when the file
// is over its kind's limit, kUnsupportedMediaType when its bytes are of no known type or of a type the kind does not
// take (a "photo" that is a PDF). The error's message says why and is safe to show to the tenant.
Result<std::string> Admit(MessageType type, std::string_view bytes);

// A file uploaded to Parley, not fetched from a platform (a person's reply from the inbox, a web chat visitor's
// file): what it is sent as.
struct AdmittedUpload {
  MessageType type = MessageType::kDocument;  //!< kImage, kAudio, kVideo or kDocument.
  std::string mime_type;                      //!< Sniffed from its bytes.
};

// What an uploaded file is, from its bytes alone (never from its name or the upload's Content-Type): a picture Parley
// decodes (JPEG, PNG, GIF, WebP) as an image, a recording as audio, MP4 or 3GP as video, anything else recognised
// (PDF, Office, text) as a document; then admitted as Admit does, within its kind's limit. kUnsupportedMediaType
// for bytes of no known type, kPayloadTooLarge over the limit, each with a reason that is safe to show. Pure.
Result<AdmittedUpload> AdmitUpload(std::string_view bytes);

}  // namespace parley::media
