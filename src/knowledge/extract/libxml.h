#pragma once
// libxml2 plumbing shared by the HTML and DOCX extractors. Private to src/knowledge/extract.

#include <libxml/tree.h>

#include <memory>
#include <string>

namespace parley::knowledge::detail {

// Before any parse on the calling thread: sets libxml2 up once per process (not safe from concurrent threads
// otherwise), and mutes its error output on this thread, where its handlers live. Parse options already mute
// parser errors, but charset conversion failures in a damaged upload go to stderr regardless.
void PrepareLibxml();

struct XmlDocDeleter {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using XmlDocPtr = std::unique_ptr<xmlDoc, XmlDocDeleter>;

// The concatenated text of `node` and its descendants, as libxml2 stores it (UTF-8).
std::string TextContent(const xmlNode* node);

// Visits the tree under `root` depth first, iteratively rather than recursively because the depth comes from an
// untrusted file: `walker.Enter(node)` says whether to descend into the node's children, `walker.Exit(node)` runs
// after them, and the walk stops as soon as `walker.room_left()` is false.
template <class Node, class Walker>
void WalkTree(Node* root, Walker& walker) {
  Node* node = root;
  while (node != nullptr && walker.room_left()) {
    if (walker.Enter(node) && node->children != nullptr) {
      node = node->children;
      continue;
    }
    while (node != nullptr) {
      walker.Exit(node);
      if (node == root) {
        node = nullptr;
      } else if (node->next != nullptr) {
        node = node->next;
        break;
      } else {
        node = node->parent;
      }
    }
  }
}

}  // namespace parley::knowledge::detail
