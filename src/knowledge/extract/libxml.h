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

}  // namespace parley::knowledge::detail
