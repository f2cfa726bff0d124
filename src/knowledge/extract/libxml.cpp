#include "knowledge/extract/libxml.h"

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include <mutex>

namespace parley::knowledge::detail {
namespace {

void IgnoreError(void* /*context*/, const char* /*format*/, ...) {}

}  // namespace

void PrepareLibxml() {
  static std::once_flag once;
  std::call_once(once, [] { xmlInitParser(); });
  thread_local bool muted = false;
  if (!muted) {
    xmlSetGenericErrorFunc(nullptr, IgnoreError);
    muted = true;
  }
}

std::string TextContent(const xmlNode* node) {
  xmlChar* content = xmlNodeGetContent(node);
  if (content == nullptr) return {};
  std::string text(reinterpret_cast<const char*>(content));
  xmlFree(content);
  return text;
}

}  // namespace parley::knowledge::detail
