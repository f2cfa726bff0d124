#include "knowledge/extract.h"
#include "knowledge/extract/document_builder.h"
#include "knowledge/extract/formats.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <utility>

namespace parley::knowledge {
namespace {

std::string_view Trim(std::string_view text) {
  std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

constexpr std::array<std::pair<std::string_view, Format>, 14> kExtensions{{
    {"txt", Format::kText},
    {"md", Format::kMarkdown},
    {"markdown", Format::kMarkdown},
    {"html", Format::kHtml},
    {"htm", Format::kHtml},
    {"pdf", Format::kPdf},
    {"docx", Format::kDocx},
    {"csv", Format::kCsv},
    {"png", Format::kImage},
    {"jpg", Format::kImage},
    {"jpeg", Format::kImage},
    {"webp", Format::kImage},
    {"tif", Format::kImage},
    {"tiff", Format::kImage},
}};

constexpr std::array<std::pair<std::string_view, Format>, 10> kContentTypes{{
    {"text/plain", Format::kText},
    {"text/markdown", Format::kMarkdown},
    {"text/html", Format::kHtml},
    {"application/pdf", Format::kPdf},
    {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", Format::kDocx},
    {"text/csv", Format::kCsv},
    {"image/png", Format::kImage},
    {"image/jpeg", Format::kImage},
    {"image/webp", Format::kImage},
    {"image/tiff", Format::kImage},
}};

template <std::size_t N>
std::optional<Format> Find(const std::array<std::pair<std::string_view, Format>, N>& table, std::string_view key) {
  auto it = std::find_if(table.begin(), table.end(), [key](const auto& entry) { return entry.first == key; });
  if (it == table.end()) return std::nullopt;
  return it->second;
}

// Uploads often arrive as application/octet-stream without a useful name, so the leading bytes decide last.
std::optional<Format> FormatFromMagic(std::string_view bytes) {
  if (bytes.starts_with("%PDF-")) return Format::kPdf;
  if (detail::IsReadableImage(bytes)) return Format::kImage;
  // Any zip starts with PK\3\4; only a Word document names this part, in its local and central headers.
  if (bytes.starts_with("PK\x03\x04") && bytes.find("word/document.xml") != std::string_view::npos) {
    return Format::kDocx;
  }
  std::string head = detail::AsciiLower(Trim(detail::StripUtf8Bom(bytes.substr(0, 1024))));
  if (head.starts_with("<!doctype html") || head.starts_with("<html")) return Format::kHtml;
  return std::nullopt;
}

}  // namespace

std::string_view ToString(Format format) {
  switch (format) {
    case Format::kText:
      return "txt";
    case Format::kMarkdown:
      return "markdown";
    case Format::kHtml:
      return "html";
    case Format::kPdf:
      return "pdf";
    case Format::kDocx:
      return "docx";
    case Format::kCsv:
      return "csv";
    case Format::kImage:
      return "image";
  }
  return "unknown";
}

Result<Format> DetectFormat(std::string_view file_name, std::string_view content_type, std::string_view bytes) {
  std::string_view base_name = file_name.substr(file_name.find_last_of("/\\") + 1);
  if (std::size_t dot = base_name.rfind('.'); dot != std::string_view::npos) {
    if (std::optional<Format> format = Find(kExtensions, detail::AsciiLower(base_name.substr(dot + 1)))) return *format;
  }
  if (std::optional<Format> format =
          Find(kContentTypes, detail::AsciiLower(Trim(content_type.substr(0, content_type.find(';')))))) {
    return *format;
  }
  if (std::optional<Format> format = FormatFromMagic(bytes)) return *format;
  // The name comes from the client: cut and cleaned so that the message stays one short line of valid UTF-8.
  std::string shown = detail::CollapseWhitespace(base_name.substr(0, 100));
  return Error::InvalidArgument(shown.empty() ? "unsupported file type" : "unsupported file type: " + shown);
}

}  // namespace parley::knowledge
