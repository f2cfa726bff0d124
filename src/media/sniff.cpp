#include "media/sniff.h"

#include "core/utf8.h"

#include <algorithm>
#include <array>

namespace parley::media {
namespace {

constexpr size_t kSniffWindow = 64 * 1024;

bool StartsWith(std::string_view bytes, std::string_view magic, size_t offset = 0) {
  return bytes.size() >= offset + magic.size() && bytes.substr(offset, magic.size()) == magic;
}

// ISO base media (MP4, M4A, 3GP): a box of type "ftyp" first, whose major brand names the flavour.
std::optional<std::string> SniffIsoMedia(std::string_view bytes) {
  if (!StartsWith(bytes, "ftyp", 4) || bytes.size() < 12) return std::nullopt;
  std::string_view brand = bytes.substr(8, 4);
  if (brand == "M4A " || brand == "M4B ") return "audio/mp4";
  if (brand.starts_with("3gp") || brand.starts_with("3g2")) return "video/3gpp";
  return "video/mp4";
}

// Office Open XML files are ZIP archives whose entries name the application; the names sit in the local headers.
std::string SniffZip(std::string_view bytes) {
  std::string_view window = bytes.substr(0, kSniffWindow);
  if (window.find("word/") != std::string_view::npos) {
    return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
  }
  if (window.find("xl/") != std::string_view::npos) {
    return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  }
  if (window.find("ppt/") != std::string_view::npos) {
    return "application/vnd.openxmlformats-officedocument.presentationml.presentation";
  }
  return "application/zip";
}

// Plain text: valid UTF-8 (a sequence cut by the window's end aside) without control bytes other than whitespace.
bool LooksLikeText(std::string_view bytes) {
  if (bytes.empty()) return false;
  std::string_view window = bytes.substr(0, kSniffWindow);
  bool cut = window.size() < bytes.size();
  for (int dropped = 0; !IsValidUtf8(window); ++dropped) {
    if (!cut || dropped == 3 || window.empty()) return false;
    window.remove_suffix(1);
  }
  return std::none_of(window.begin(), window.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && u != '\n' && u != '\r' && u != '\t' && u != '\f') || u == 0x7f;
  });
}

bool IsMp3FrameSync(std::string_view bytes) {
  if (bytes.size() < 2) return false;
  auto b0 = static_cast<unsigned char>(bytes[0]);
  auto b1 = static_cast<unsigned char>(bytes[1]);
  // 11 sync bits, then a version and layer that are not "reserved"; layer III (MP3) is 01.
  return b0 == 0xFF && (b1 & 0xE0) == 0xE0 && (b1 & 0x06) == 0x02 && (b1 & 0x18) != 0x08;
}

bool IsAdtsSync(std::string_view bytes) {
  if (bytes.size() < 2) return false;
  auto b0 = static_cast<unsigned char>(bytes[0]);
  auto b1 = static_cast<unsigned char>(bytes[1]);
  return b0 == 0xFF && (b1 & 0xF6) == 0xF0;  // Sync, layer 00: AAC in ADTS frames.
}

bool Among(std::string_view mime_type, std::initializer_list<std::string_view> types) {
  return std::find(types.begin(), types.end(), mime_type) != types.end();
}

std::string_view KindName(MediaKind kind) {
  switch (kind) {
    case MediaKind::kImage:
      return "image";
    case MediaKind::kAudio:
      return "audio";
    case MediaKind::kVideo:
      return "video";
    case MediaKind::kDocument:
      return "document";
    case MediaKind::kSticker:
      return "sticker";
  }
  return "media";
}

bool KindTakes(MediaKind kind, std::string_view mime_type) {
  switch (kind) {
    case MediaKind::kImage:
      return Among(mime_type, {"image/jpeg", "image/png", "image/webp", "image/gif"});
    case MediaKind::kSticker:
      return Among(mime_type, {"image/webp", "image/png"});
    case MediaKind::kAudio:
      return Among(mime_type, {"audio/ogg", "audio/amr", "audio/mpeg", "audio/aac", "audio/mp4"});
    case MediaKind::kVideo:
      return Among(mime_type, {"video/mp4", "video/3gpp"});
    case MediaKind::kDocument:
      return true;  // Any type Parley recognises: a document may be a photo or a recording sent as a file.
  }
  return false;
}

}  // namespace

std::optional<MediaKind> KindOf(MessageType type) {
  switch (type) {
    case MessageType::kImage:
      return MediaKind::kImage;
    case MessageType::kAudio:
      return MediaKind::kAudio;
    case MessageType::kVideo:
      return MediaKind::kVideo;
    case MessageType::kDocument:
      return MediaKind::kDocument;
    case MessageType::kSticker:
      return MediaKind::kSticker;
    default:
      return std::nullopt;
  }
}

int64_t MaxBytes(MediaKind kind) {
  constexpr int64_t kMb = 1024 * 1024;
  switch (kind) {
    case MediaKind::kImage:
      return 5 * kMb;
    case MediaKind::kAudio:
    case MediaKind::kVideo:
      return 16 * kMb;
    case MediaKind::kDocument:
      return 100 * kMb;
    case MediaKind::kSticker:
      return 500 * 1024;
  }
  return 0;
}

std::optional<std::string> SniffContentType(std::string_view bytes) {
  if (StartsWith(bytes, "\xFF\xD8\xFF")) return "image/jpeg";
  if (StartsWith(bytes, "\x89PNG\r\n\x1A\n")) return "image/png";
  if (StartsWith(bytes, "GIF87a") || StartsWith(bytes, "GIF89a")) return "image/gif";
  if (StartsWith(bytes, "RIFF") && StartsWith(bytes, "WEBP", 8)) return "image/webp";
  if (StartsWith(bytes, "OggS")) return "audio/ogg";
  if (StartsWith(bytes, "#!AMR")) return "audio/amr";
  if (StartsWith(bytes, "ID3") || IsMp3FrameSync(bytes)) return "audio/mpeg";
  if (IsAdtsSync(bytes)) return "audio/aac";
  if (auto iso = SniffIsoMedia(bytes)) return iso;
  if (StartsWith(bytes, "%PDF-")) return "application/pdf";
  if (StartsWith(bytes, std::string_view("PK\x03\x04", 4))) return SniffZip(bytes);
  if (StartsWith(bytes, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")) return "application/x-ole-storage";
  if (LooksLikeText(bytes)) return "text/plain";
  return std::nullopt;
}

bool IsDecodableImage(std::string_view mime_type) {
  return Among(mime_type, {"image/jpeg", "image/png", "image/webp", "image/gif"});
}

Result<std::string> Admit(MessageType type, std::string_view bytes) {
  std::optional<MediaKind> kind = KindOf(type);
  if (!kind) return Error::InvalidArgument("this message carries no media");
  const int64_t limit = MaxBytes(*kind);
  if (static_cast<int64_t>(bytes.size()) > limit) {
    return Error{
        ErrorCode::kPayloadTooLarge,
        "too large: " + std::string(KindName(*kind)) + " files are limited to " + std::to_string(limit / 1024) + " KB",
        std::to_string(bytes.size()) + " bytes"};
  }
  std::optional<std::string> sniffed = SniffContentType(bytes);
  if (!sniffed) return Error{ErrorCode::kUnsupportedMediaType, "the file's content type is not recognised", {}};
  if (!KindTakes(*kind, *sniffed)) {
    return Error{
        ErrorCode::kUnsupportedMediaType, std::string(KindName(*kind)) + " messages cannot carry " + *sniffed, {}};
  }
  return *sniffed;
}

Result<AdmittedUpload> AdmitUpload(std::string_view bytes) {
  const std::optional<std::string> sniffed = SniffContentType(bytes);
  if (!sniffed) return Error{ErrorCode::kUnsupportedMediaType, "the file's content type is not recognised", {}};
  AdmittedUpload upload;
  if (IsDecodableImage(*sniffed)) upload.type = MessageType::kImage;
  if (sniffed->starts_with("audio/")) upload.type = MessageType::kAudio;
  if (sniffed->starts_with("video/")) upload.type = MessageType::kVideo;
  auto admitted = Admit(upload.type, bytes);
  if (!admitted) return admitted.error();
  upload.mime_type = std::move(*admitted);
  return upload;
}

}  // namespace parley::media
