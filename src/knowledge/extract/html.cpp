#include "knowledge/extract/document_builder.h"
#include "knowledge/extract/formats.h"
#include "knowledge/extract/libxml.h"

#include <libxml/HTMLparser.h>

#include <algorithm>
#include <string>
#include <unordered_map>
#include <vector>

namespace parley::knowledge::detail {
namespace {

enum class Role { kInline, kSkip, kHead, kLineBreak, kBlock, kHeading, kListItem, kCode, kRow, kCell };

struct ElementRole {
  Role role = Role::kInline;
  int level = 0;
};

// Elements not listed are inline: their text joins the enclosing block. Skipped ones hold code, navigation,
// boilerplate or form widgets, none of which answers a customer's question.
ElementRole RoleOf(const xmlNode* element) {
  static const auto* const kRoles = [] {
    auto* roles = new std::unordered_map<std::string_view, Role>{
        {"head", Role::kHead}, {"br", Role::kLineBreak}, {"li", Role::kListItem}, {"pre", Role::kCode},
        {"tr", Role::kRow},    {"td", Role::kCell},      {"th", Role::kCell},
    };
    for (std::string_view name : {"script", "style", "noscript", "nav", "footer", "template", "svg", "math", "iframe",
                                  "object", "canvas", "button", "select", "textarea"}) {
      roles->emplace(name, Role::kSkip);
    }
    for (std::string_view name :
         {"html",   "body",       "p",       "div",     "blockquote", "section", "article",  "main",   "header",
          "aside",  "address",    "center",  "ul",      "ol",         "menu",    "dl",       "dt",     "dd",
          "figure", "figcaption", "details", "summary", "dialog",     "form",    "fieldset", "legend", "hgroup",
          "hr",     "table",      "caption", "thead",   "tbody",      "tfoot"}) {
      roles->emplace(name, Role::kBlock);
    }
    return roles;
  }();
  std::string_view name = reinterpret_cast<const char*>(element->name);
  if (name.size() == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6') return {Role::kHeading, name[1] - '0'};
  auto it = kRoles->find(name);
  return {it == kRoles->end() ? Role::kInline : it->second};
}

// Text accumulates until a block boundary; a block element's kind comes from the element itself (h2, li, pre) or,
// for neutral ones (p, div…), from the block around it, so that <li><p>…</p></li> stays a list item. Inside a
// table row every block only separates text within the current cell.
class HtmlWalker {
 public:
  explicit HtmlWalker(DocumentBuilder& builder) : builder_(builder) {}

  void Walk(xmlNode* root) { WalkTree(root, *this); }
  bool room_left() const { return room_left_; }

  // WalkTree's callbacks.
  // Whether to descend into `node`.
  bool Enter(xmlNode* node) {
    if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
      if (node->content != nullptr) Append(reinterpret_cast<const char*>(node->content));
      return false;
    }
    if (node->type != XML_ELEMENT_NODE) return false;
    if (xmlStrEqual(node->name, BAD_CAST "thead")) ++in_head_;
    if (IsBold(node)) ++bold_;
    auto [role, level] = RoleOf(node);
    switch (role) {
      case Role::kInline:
        return true;
      case Role::kSkip:
        return false;
      case Role::kHead:
        ReadTitle(node);
        return false;
      case Role::kLineBreak:
        Append("\n");
        return false;
      case Role::kRow:
        if (row_ == nullptr) {
          Flush();
          row_ = node;
          cells_.clear();
          header_cells_.clear();
        }
        return true;
      case Role::kCell:
        if (row_ != nullptr) {
          cells_.emplace_back();
          header_cells_.push_back(xmlStrEqual(node->name, BAD_CAST "th") != 0);
          return true;
        }
        break;
      default:
        break;
    }
    if (row_ != nullptr) {
      Append(" ");
      return true;
    }
    Flush();
    open_.push_back(Open(role, level));
    return true;
  }

  // Mirrors Enter: only called on elements, text and skipped nodes leave nothing to close.
  void Exit(xmlNode* node) {
    if (node->type != XML_ELEMENT_NODE) return;
    if (xmlStrEqual(node->name, BAD_CAST "thead")) --in_head_;
    if (IsBold(node)) --bold_;
    Role role = RoleOf(node).role;
    if (role == Role::kInline || role == Role::kSkip || role == Role::kHead || role == Role::kLineBreak) return;
    if (role == Role::kRow && node == row_) {
      EmitRow();
      return;
    }
    if (row_ != nullptr) return;
    Flush();
    if (!open_.empty()) open_.pop_back();
  }

 private:
  struct OpenBlock {
    Block::Kind kind = Block::Kind::kParagraph;
    int level = 0;
  };

  OpenBlock Open(Role role, int level) const {
    switch (role) {
      case Role::kHeading:
        return {Block::Kind::kHeading, level};
      case Role::kListItem:
        return {Block::Kind::kListItem};
      case Role::kCode:
        return {Block::Kind::kCode};
      default:
        return open_.empty() ? OpenBlock{} : open_.back();
    }
  }

  void Append(std::string_view text) {
    if (row_ == nullptr) {
      text_ += text;
      plain_ = plain_ || (bold_ == 0 && text.find_first_not_of(" \t\r\n") != std::string_view::npos);
      return;
    }
    if (cells_.empty()) {
      cells_.emplace_back();
      header_cells_.push_back(false);
    }
    cells_.back() += text;
  }

  // A paragraph that is all bold and reads as a title is the heading of what follows ("<p><b>Gift cards</b></p>"),
  // which would otherwise be read as a paragraph of its own and open the section's text.
  void Flush() {
    if (text_.empty()) return;
    OpenBlock block = open_.empty() ? OpenBlock{} : open_.back();
    if (block.kind == Block::Kind::kParagraph && !plain_ && LooksLikeTitle(CollapseWhitespace(text_))) {
      room_left_ = builder_.AddTitle(text_) && room_left_;
    } else {
      room_left_ = builder_.Add(block.kind, text_, block.level) && room_left_;
    }
    text_.clear();
    plain_ = false;
  }

  static bool IsBold(const xmlNode* element) {
    return xmlStrEqual(element->name, BAD_CAST "b") || xmlStrEqual(element->name, BAD_CAST "strong");
  }

  // A row names the columns when it sits in <thead> or all its cells with text are <th>. A table without one is
  // left without a header: guessing from a first row of <td> would label every row with a layout table's cells.
  void EmitRow() {
    bool header = in_head_ > 0;
    bool any_text = false;
    bool all_th = true;
    for (size_t i = 0; i < cells_.size(); ++i) {
      if (CollapseWhitespace(cells_[i]).empty()) continue;
      any_text = true;
      all_th = all_th && header_cells_[i];
    }
    room_left_ = builder_.AddRow(cells_, header || (any_text && all_th)) && room_left_;
    row_ = nullptr;
    cells_.clear();
    header_cells_.clear();
  }

  void ReadTitle(const xmlNode* head) {
    for (const xmlNode* child = head->children; child != nullptr; child = child->next) {
      if (child->type == XML_ELEMENT_NODE && xmlStrEqual(child->name, BAD_CAST "title")) {
        builder_.SetTitle(TextContent(child));
        return;
      }
    }
  }

  DocumentBuilder& builder_;
  std::string text_;
  std::vector<OpenBlock> open_;
  const xmlNode* row_ = nullptr;  // The <tr> being read, if any.
  std::vector<std::string> cells_;
  std::vector<bool> header_cells_;  // Whether each of cells_ is a <th>.
  int in_head_ = 0;                 // Open <thead> elements.
  int bold_ = 0;                    // Open <b> and <strong> elements.
  bool plain_ = false;              // text_ holds text outside bold.
  bool room_left_ = true;
};

// The charset a page declares near its top (<meta charset="…"> or <meta http-equiv … content="…; charset=…">).
std::string DeclaredCharset(std::string_view bytes) {
  std::string head = AsciiLower(bytes.substr(0, 1024));
  std::size_t pos = head.find("charset=");
  if (pos == std::string::npos) return {};
  pos = head.find_first_not_of("\"' ", pos + 8);
  if (pos == std::string::npos) return {};
  return head.substr(pos, head.find_first_of("\"' ;>/", pos) - pos);
}

}  // namespace

Result<ExtractedDocument> ExtractHtml(std::string_view bytes, const ExtractLimits& limits) {
  PrepareLibxml();
  // A page that declares another charset (windows-1252 is still common) is left to libxml2 to convert. Everything
  // else is read as UTF-8, repaired first: libxml2 would otherwise fall back to Latin-1 at the first bad byte.
  std::string charset = DeclaredCharset(bytes);
  std::string repaired;
  std::string_view input = bytes;
  const char* encoding = nullptr;
  if (charset.empty() || charset == "utf-8" || charset == "utf8") {
    repaired = ToValidUtf8(StripUtf8Bom(bytes));
    input = repaired;
    encoding = "UTF-8";
  }
  constexpr int kOptions = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET;
  XmlDocPtr doc(htmlReadMemory(input.data(), static_cast<int>(input.size()), nullptr, encoding, kOptions));
  DocumentBuilder builder(limits.max_chars);
  if (doc != nullptr) {
    if (xmlNode* root = xmlDocGetRootElement(doc.get())) HtmlWalker(builder).Walk(root);
  }
  return std::move(builder).Finish();
}

}  // namespace parley::knowledge::detail
