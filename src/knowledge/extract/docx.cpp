#include "knowledge/extract/document_builder.h"
#include "knowledge/extract/formats.h"
#include "knowledge/extract/libxml.h"

#include <libxml/parser.h>
#include <zip.h>

#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

namespace parley::knowledge::detail {
namespace {

// A real document.xml is a few MiB at most; anything bigger is a zip bomb or not worth indexing.
constexpr std::size_t kMaxPartBytes = std::size_t{20} << 20;

constexpr std::string_view kWordNamespace = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
constexpr std::string_view kStrictWordNamespace = "http://purl.oclc.org/ooxml/wordprocessingml/main";
constexpr std::string_view kMarkupCompatibilityNamespace =
    "http://schemas.openxmlformats.org/markup-compatibility/2006";
constexpr std::string_view kDublinCoreNamespace = "http://purl.org/dc/elements/1.1/";

struct ZipDiscarder {
  void operator()(zip_t* archive) const { zip_discard(archive); }
};
struct ZipFileCloser {
  void operator()(zip_file_t* file) const { zip_fclose(file); }
};

// The uncompressed part `name`, nullopt when the archive has none.
Result<std::optional<std::string>> ReadPart(zip_t* archive, const char* name) {
  zip_int64_t index = zip_name_locate(archive, name, ZIP_FL_NOCASE);
  if (index < 0) return std::optional<std::string>();
  auto too_large = [name] { return Error::InvalidArgument(std::string("DOCX part too large: ") + name); };
  zip_stat_t stat;
  zip_stat_init(&stat);
  if (zip_stat_index(archive, index, 0, &stat) == 0 && (stat.valid & ZIP_STAT_SIZE) != 0 && stat.size > kMaxPartBytes) {
    return too_large();
  }
  std::unique_ptr<zip_file_t, ZipFileCloser> file(zip_fopen_index(archive, index, 0));
  if (file == nullptr) return Error::InvalidArgument("DOCX could not be read");
  // The declared size may lie, so the limit also holds while inflating.
  std::string data;
  std::vector<char> buffer(std::size_t{1} << 16);
  for (;;) {
    zip_int64_t read = zip_fread(file.get(), buffer.data(), buffer.size());
    if (read < 0) return Error::InvalidArgument("DOCX could not be read");
    if (read == 0) break;
    if (data.size() + static_cast<std::size_t>(read) > kMaxPartBytes) return too_large();
    data.append(buffer.data(), static_cast<std::size_t>(read));
  }
  return std::optional<std::string>(std::move(data));
}

// No external entities, no network, no DTD loading: the part comes from an untrusted upload.
XmlDocPtr ParseXml(const std::string& xml) {
  return XmlDocPtr(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), nullptr, nullptr,
                                 XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
}

bool InNamespace(const xmlNode* node, std::string_view href) {
  return node->ns != nullptr && node->ns->href != nullptr && reinterpret_cast<const char*>(node->ns->href) == href;
}

bool IsElement(const xmlNode* node, std::string_view href, std::string_view name) {
  return node->type == XML_ELEMENT_NODE && InNamespace(node, href) && reinterpret_cast<const char*>(node->name) == name;
}

bool IsWord(const xmlNode* node, std::string_view name) {
  return IsElement(node, kWordNamespace, name) || IsElement(node, kStrictWordNamespace, name);
}

const xmlNode* WordChild(const xmlNode* parent, std::string_view name) {
  for (const xmlNode* child = parent->children; child != nullptr; child = child->next) {
    if (IsWord(child, name)) return child;
  }
  return nullptr;
}

// An attribute such as w:val, which lives in the namespace of its element.
std::string WordAttribute(const xmlNode* element, const char* name) {
  xmlChar* value = xmlGetNsProp(element, BAD_CAST name, element->ns->href);
  if (value == nullptr) return {};
  std::string text(reinterpret_cast<const char*>(value));
  xmlFree(value);
  return text;
}

// What a paragraph's properties say about list numbering: nothing, on (w:numPr), or off (w:numId 0, which
// removes numbering a style would give).
std::optional<bool> Numbering(const xmlNode* properties) {
  const xmlNode* numbering = WordChild(properties, "numPr");
  if (numbering == nullptr) return std::nullopt;
  const xmlNode* id = WordChild(numbering, "numId");
  return id == nullptr || WordAttribute(id, "val") != "0";
}

// An on/off property such as w:b or w:tblHeader: on unless its w:val says otherwise.
bool IsOn(const xmlNode* property) {
  if (property == nullptr) return false;
  std::string value = WordAttribute(property, "val");
  return value != "0" && value != "false" && value != "off";
}

// Whether a table's first row names its columns: a table style applies its header formatting to it (w:tblLook,
// firstRow or bit 0x0020 of val), which Word sets on the tables it inserts. Rows marked w:tblHeader always do.
bool FirstRowIsHeader(const xmlNode* table) {
  const xmlNode* properties = WordChild(table, "tblPr");
  const xmlNode* look = properties != nullptr ? WordChild(properties, "tblLook") : nullptr;
  if (look == nullptr) return false;
  std::string first_row = WordAttribute(look, "firstRow");
  if (!first_row.empty()) return first_row != "0" && first_row != "false" && first_row != "off";
  return (std::strtol(WordAttribute(look, "val").c_str(), nullptr, 16) & 0x20) != 0;
}

struct Style {
  std::string name;
  std::string based_on;
  std::optional<bool> numbering;
};
using Styles = std::unordered_map<std::string, Style>;

Styles ReadStyles(const xmlDoc* doc) {
  Styles styles;
  const xmlNode* root = xmlDocGetRootElement(doc);
  if (root == nullptr) return styles;
  for (const xmlNode* node = root->children; node != nullptr; node = node->next) {
    if (!IsWord(node, "style")) continue;
    std::string id = WordAttribute(node, "styleId");
    if (id.empty()) continue;
    Style style;
    if (const xmlNode* name = WordChild(node, "name")) style.name = WordAttribute(name, "val");
    if (const xmlNode* based_on = WordChild(node, "basedOn")) style.based_on = WordAttribute(based_on, "val");
    if (const xmlNode* properties = WordChild(node, "pPr")) style.numbering = Numbering(properties);
    styles.emplace(std::move(id), std::move(style));
  }
  return styles;
}

// The level of a built-in heading style, by name or id ("heading 1", "Heading1"; "Title" counts as level 1).
int HeadingLevel(std::string_view style) {
  std::string key;
  for (char c : style) {
    if (c != ' ') key += (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  }
  if (key == "title") return 1;
  if (key.size() == 8 && key.starts_with("heading") && key[7] >= '1' && key[7] <= '6') return key[7] - '0';
  return 0;
}

struct ParagraphKind {
  Block::Kind kind = Block::Kind::kParagraph;
  int level = 0;
};

// Word localises style ids ("Titre1" in a French Word) but not the built-in style names, and custom styles
// inherit through w:basedOn, so the id is resolved through styles.xml; an id missing there is taken as a name.
ParagraphKind Classify(const xmlNode* paragraph, const Styles& styles) {
  const xmlNode* properties = WordChild(paragraph, "pPr");
  if (properties == nullptr) return {};
  std::optional<bool> numbering = Numbering(properties);
  std::string id;
  if (const xmlNode* style = WordChild(properties, "pStyle")) id = WordAttribute(style, "val");
  constexpr int kMaxInheritance = 10;  // basedOn chains may loop in a damaged file.
  for (int depth = 0; depth < kMaxInheritance && !id.empty(); ++depth) {
    auto it = styles.find(id);
    if (int level = HeadingLevel(it == styles.end() ? id : it->second.name)) return {Block::Kind::kHeading, level};
    if (it == styles.end()) break;
    if (!numbering) numbering = it->second.numbering;
    id = it->second.based_on;
  }
  return {numbering.value_or(false) ? Block::Kind::kListItem : Block::Kind::kParagraph};
}

// Paragraphs become blocks, except inside a table row where they fill the current cell. A text box nests
// paragraphs inside a paragraph; the inner ones become blocks of their own.
class DocxWalker {
 public:
  DocxWalker(DocumentBuilder& builder, const Styles& styles) : builder_(builder), styles_(styles) {}

  void Walk(const xmlNode* root) { WalkTree(root, *this); }
  bool room_left() const { return room_left_; }

  // WalkTree's callbacks.
  // Whether to descend into `node`.
  bool Enter(const xmlNode* node) {
    if (node->type == XML_TEXT_NODE) {
      if (node->parent != nullptr && IsWord(node->parent, "t") && node->content != nullptr) {
        Append(reinterpret_cast<const char*>(node->content), IsBoldRun(node->parent->parent));
      }
      return false;
    }
    if (node->type != XML_ELEMENT_NODE) return false;
    // Alternate content repeats what mc:Choice already holds, for older readers.
    if (IsElement(node, kMarkupCompatibilityNamespace, "Fallback")) return false;
    if (IsWord(node, "p")) {
      frames_.emplace_back(Paragraph{Classify(node, styles_), {}});
    } else if (IsWord(node, "tbl")) {
      frames_.emplace_back(Table{FirstRowIsHeader(node)});
    } else if (IsWord(node, "tr")) {
      bool header = false;
      if (!frames_.empty()) {
        if (auto* table = std::get_if<Table>(&frames_.back())) header = table->rows++ == 0 && table->first_row_header;
      }
      const xmlNode* properties = WordChild(node, "trPr");
      frames_.emplace_back(Row{{}, header || (properties != nullptr && IsOn(WordChild(properties, "tblHeader")))});
    } else if (IsWord(node, "tc")) {
      if (!frames_.empty()) {
        if (auto* row = std::get_if<Row>(&frames_.back())) row->cells.emplace_back();
      }
    } else if (IsWord(node, "tab")) {
      Append("\t", true);
    } else if (IsWord(node, "br") || IsWord(node, "cr")) {
      Append("\n", true);
    } else if (IsWord(node, "pPr") || IsWord(node, "rPr") || IsWord(node, "tblPr") || IsWord(node, "sectPr")) {
      return false;  // Properties only; w:tab here is a tab stop, not text.
    }
    return true;
  }

  void Exit(const xmlNode* node) {
    if (node->type != XML_ELEMENT_NODE || frames_.empty()) return;
    if (IsWord(node, "p")) {
      auto* paragraph = std::get_if<Paragraph>(&frames_.back());
      if (paragraph == nullptr) return;
      Paragraph done = std::move(*paragraph);
      frames_.pop_back();
      if (!frames_.empty() && std::holds_alternative<Row>(frames_.back())) {
        Append(done.text + " ", true);
      } else if (done.kind.kind == Block::Kind::kParagraph && !done.plain &&
                 LooksLikeTitle(CollapseWhitespace(done.text))) {
        // A paragraph all in bold that reads as a title is the heading of what follows.
        room_left_ = builder_.AddTitle(done.text) && room_left_;
      } else {
        room_left_ = builder_.Add(done.kind.kind, done.text, done.kind.level) && room_left_;
      }
    } else if (IsWord(node, "tr")) {
      auto* row = std::get_if<Row>(&frames_.back());
      if (row == nullptr) return;
      Row done = std::move(*row);
      frames_.pop_back();
      room_left_ = builder_.AddRow(done.cells, done.header) && room_left_;
    } else if (IsWord(node, "tbl")) {
      if (std::holds_alternative<Table>(frames_.back())) frames_.pop_back();
    }
  }

 private:
  struct Paragraph {
    ParagraphKind kind;
    std::string text;
    bool plain = false;  //!< Holds text outside bold runs.
  };
  struct Row {
    std::vector<std::string> cells;
    bool header = false;
  };
  struct Table {
    bool first_row_header = false;
    int rows = 0;
  };

  static bool IsBoldRun(const xmlNode* run) {
    if (run == nullptr || !IsWord(run, "r")) return false;
    const xmlNode* properties = WordChild(run, "rPr");
    return properties != nullptr && IsOn(WordChild(properties, "b"));
  }

  // `bold`: whether the text counts as bold when telling a title from a paragraph (white space does).
  void Append(std::string_view text, bool bold) {
    if (frames_.empty()) return;
    if (auto* paragraph = std::get_if<Paragraph>(&frames_.back())) {
      paragraph->text += text;
      paragraph->plain = paragraph->plain || (!bold && text.find_first_not_of(" \t\n") != std::string_view::npos);
      return;
    }
    auto* row = std::get_if<Row>(&frames_.back());
    if (row == nullptr) return;  // Text directly in a table, outside any row: not valid WordprocessingML.
    if (row->cells.empty()) row->cells.emplace_back();
    row->cells.back() += text;
  }

  DocumentBuilder& builder_;
  const Styles& styles_;
  std::vector<std::variant<Paragraph, Row, Table>> frames_;
  bool room_left_ = true;
};

std::string ReadTitle(const xmlDoc* core) {
  const xmlNode* root = xmlDocGetRootElement(core);
  if (root == nullptr) return {};
  for (const xmlNode* node = root->children; node != nullptr; node = node->next) {
    if (IsElement(node, kDublinCoreNamespace, "title")) return TextContent(node);
  }
  return {};
}

}  // namespace

Result<ExtractedDocument> ExtractDocx(std::string_view bytes, const ExtractLimits& limits) {
  // Word saves password-protected files, and always saved .doc files, as OLE compound files, not zips.
  if (bytes.starts_with("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")) {
    return Error::InvalidArgument("DOCX is password-protected or an old Word .doc file");
  }
  if (!bytes.starts_with("PK")) return Error::InvalidArgument("not a DOCX file");
  zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, nullptr);
  if (source == nullptr) return Error::InvalidArgument("not a DOCX file");
  std::unique_ptr<zip_t, ZipDiscarder> archive(zip_open_from_source(source, ZIP_RDONLY, nullptr));
  if (archive == nullptr) {
    zip_source_free(source);
    return Error::InvalidArgument("not a DOCX file");
  }
  PrepareLibxml();

  auto document_xml = ReadPart(archive.get(), "word/document.xml");
  if (!document_xml) return document_xml.error();
  if (!*document_xml) return Error::InvalidArgument("DOCX has no word/document.xml");
  XmlDocPtr document = ParseXml(**document_xml);
  const xmlNode* root = document != nullptr ? xmlDocGetRootElement(document.get()) : nullptr;
  if (root == nullptr) return Error::InvalidArgument("DOCX word/document.xml is not valid XML");

  // Styles and properties only refine the result: when damaged they are ignored, but their size is still checked.
  Styles styles;
  auto styles_xml = ReadPart(archive.get(), "word/styles.xml");
  if (!styles_xml) return styles_xml.error();
  if (*styles_xml) {
    if (XmlDocPtr doc = ParseXml(**styles_xml)) styles = ReadStyles(doc.get());
  }
  DocumentBuilder builder(limits.max_chars);
  auto core_xml = ReadPart(archive.get(), "docProps/core.xml");
  if (!core_xml) return core_xml.error();
  if (*core_xml) {
    if (XmlDocPtr doc = ParseXml(**core_xml)) builder.SetTitle(ReadTitle(doc.get()));
  }

  if (const xmlNode* body = WordChild(root, "body")) DocxWalker(builder, styles).Walk(body);
  return std::move(builder).Finish();
}

}  // namespace parley::knowledge::detail
