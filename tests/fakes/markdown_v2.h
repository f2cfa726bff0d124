#pragma once
// How Telegram reads a text sent with parse_mode "MarkdownV2" (https://core.telegram.org/bots/api#markdownv2-style),
// for the fake Bot API and the tests of what Parley sends: the text the chat shows, or Telegram's refusal.

#include <string>
#include <string_view>

namespace parley::testing {

struct MarkdownV2Reading {
  bool ok = false;
  std::string shown;  //!< The text with escapes and entity markers removed, as the chat shows it.
  std::string error;  //!< Telegram's description: "Bad Request: can't parse entities: …".
};

// A backslash escapes any character of code 1 to 126; inside `code` and ```pre``` only '`' and '\' may be escaped
// and must be (a block's first line, when more follow, is its language and is not shown); elsewhere *bold*, _italic_,
// __underline__, ~strike~ and ||spoiler|| open and close entities, and
// '[', ']', '(', ')', '>', '#', '+', '-', '=', '|', '{', '}', '.' and '!' must be escaped (links, which Parley
// never sends, are refused like any unescaped '['). An entity left open at the end is refused.
MarkdownV2Reading ReadMarkdownV2(std::string_view text);

}  // namespace parley::testing
