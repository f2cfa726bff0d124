#include "knowledge/extract/document_builder.h"
#include "knowledge/extract/formats.h"

#include <cmark.h>

#include <memory>
#include <string>

namespace parley::knowledge::detail {
namespace {

struct NodeDeleter {
  void operator()(cmark_node* node) const { cmark_node_free(node); }
};
struct IterDeleter {
  void operator()(cmark_iter* iter) const { cmark_iter_free(iter); }
};
using Iter = std::unique_ptr<cmark_iter, IterDeleter>;

// Raw inline HTML is left out: it is markup, and may be a script.
std::string InlineText(cmark_node* block) {
  std::string text;
  Iter iter(cmark_iter_new(block));
  for (cmark_event_type event; (event = cmark_iter_next(iter.get())) != CMARK_EVENT_DONE;) {
    if (event != CMARK_EVENT_ENTER) continue;
    cmark_node* node = cmark_iter_get_node(iter.get());
    switch (cmark_node_get_type(node)) {
      case CMARK_NODE_TEXT:
      case CMARK_NODE_CODE:
        if (const char* literal = cmark_node_get_literal(node)) text += literal;
        break;
      case CMARK_NODE_SOFTBREAK:
      case CMARK_NODE_LINEBREAK:
        text += ' ';
        break;
      default:
        break;
    }
  }
  return text;
}

}  // namespace

Result<ExtractedDocument> ExtractMarkdown(std::string_view bytes, const ExtractLimits& limits) {
  std::string_view text = StripUtf8Bom(bytes);
  std::unique_ptr<cmark_node, NodeDeleter> root(
      cmark_parse_document(text.data(), text.size(), CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8));
  DocumentBuilder builder(limits.max_chars);
  if (!root) return std::move(builder).Finish();
  // The walk is iterative (cmark's iterator) so deeply nested quotes or lists cannot exhaust the stack.
  Iter iter(cmark_iter_new(root.get()));
  bool room_left = true;
  for (cmark_event_type event; room_left && (event = cmark_iter_next(iter.get())) != CMARK_EVENT_DONE;) {
    if (event != CMARK_EVENT_ENTER) continue;
    cmark_node* node = cmark_iter_get_node(iter.get());
    switch (cmark_node_get_type(node)) {
      case CMARK_NODE_HEADING:
        room_left = builder.Add(Block::Kind::kHeading, InlineText(node), cmark_node_get_heading_level(node));
        cmark_iter_reset(iter.get(), node, CMARK_EVENT_EXIT);
        break;
      case CMARK_NODE_PARAGRAPH: {
        cmark_node* parent = cmark_node_parent(node);
        bool in_item = parent != nullptr && cmark_node_get_type(parent) == CMARK_NODE_ITEM;
        room_left = builder.Add(in_item ? Block::Kind::kListItem : Block::Kind::kParagraph, InlineText(node));
        cmark_iter_reset(iter.get(), node, CMARK_EVENT_EXIT);
        break;
      }
      case CMARK_NODE_CODE_BLOCK:
        if (const char* literal = cmark_node_get_literal(node)) room_left = builder.Add(Block::Kind::kCode, literal);
        break;
      default:
        break;
    }
  }
  return std::move(builder).Finish();
}

}  // namespace parley::knowledge::detail
