#include "http/multipart.h"

#include <gtest/gtest.h>

namespace parley::http {
namespace {

std::string Body(std::string_view disposition, std::string_view content_type, std::string_view data) {
  std::string body = "--XyZ\r\nContent-Disposition: " + std::string(disposition) + "\r\n";
  if (!content_type.empty()) body += "Content-Type: " + std::string(content_type) + "\r\n";
  body += "\r\n" + std::string(data) + "\r\n--XyZ--\r\n";
  return body;
}

TEST(MultipartTest, SplitsPartsAndStripsPathsFromFileNames) {
  const std::string body =
      "preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"knowledge_base\"\r\n\r\nMenus\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"C:\\\\docs\\\\caf\xc3\xa9.txt\"\r\n"
      "Content-Type: text/plain\r\n\r\nline one\r\nline two\r\n--XyZ--\r\n";
  auto parts = ParseMultipart(body, "XyZ");
  ASSERT_TRUE(parts) << parts.error().message;
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].name, "knowledge_base");
  EXPECT_EQ((*parts)[0].data, "Menus");
  EXPECT_EQ((*parts)[1].file_name, "caf\xc3\xa9.txt");
  EXPECT_EQ((*parts)[1].content_type, "text/plain");
  EXPECT_EQ((*parts)[1].data, "line one\r\nline two");
}

TEST(MultipartTest, RefusesTextThatIsNotUtf8NamingTheField) {
  struct Case {
    std::string body;
    std::string reason;
  };
  const Case cases[] = {
      {Body("form-data; name=\"file\"; filename=\"\xff.txt\"", "text/plain", "hello"),
       "the filename of multipart part \"file\" is not valid UTF-8"},
      {Body("form-data; name=\"fi\xc0\xafle\"", "", "hello"), "a multipart part's name is not valid UTF-8"},
      {Body("form-data; name=\"file\"; filename=\"a.txt\"", "text/\xe2\x82", "hello"),
       "the Content-Type of multipart part \"file\" is not valid UTF-8"},
      {Body("form-data; name=\"knowledge_base\"", "", "Men\xffus"), "form field \"knowledge_base\" is not valid UTF-8"},
  };
  for (const Case& c : cases) {
    auto parts = ParseMultipart(c.body, "XyZ");
    ASSERT_FALSE(parts) << c.reason;
    EXPECT_EQ(parts.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(parts.error().message, c.reason);
  }
}

TEST(MultipartTest, AFileMayHoldAnyBytes) {
  const std::string_view bytes("\xff\xfe\x00\x01", 4);
  auto parts = ParseMultipart(Body("form-data; name=\"file\"; filename=\"a.bin\"", "", bytes), "XyZ");
  ASSERT_TRUE(parts) << parts.error().message;
  EXPECT_EQ((*parts)[0].data, bytes);
}

TEST(MultipartTest, RefusesMalformedBodies) {
  EXPECT_FALSE(ParseMultipart("no delimiter here", "XyZ"));
  EXPECT_FALSE(ParseMultipart("--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunterminated", "XyZ"));
  EXPECT_FALSE(ParseMultipart("--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ--", "XyZ"));
}

TEST(MultipartTest, BuildsWhatItParsesBack) {
  const std::string_view bytes("\xff\r\n--\x00end", 8);
  FormBody form = BuildMultipart({{"messaging_product", {}, {}, "whatsapp"},
                                  {"file", "re\"ceipt.jpg", "image/jpeg", bytes},
                                  {"type", {}, {}, "image/jpeg"}});
  auto boundary = MultipartBoundary(form.content_type);
  ASSERT_TRUE(boundary) << form.content_type;
  auto parts = ParseMultipart(form.body, *boundary);
  ASSERT_TRUE(parts) << parts.error().message;
  ASSERT_EQ(parts->size(), 3u);
  EXPECT_EQ((*parts)[0].name, "messaging_product");
  EXPECT_EQ((*parts)[0].data, "whatsapp");
  EXPECT_EQ((*parts)[1].file_name, "re_ceipt.jpg");  // A quote would end the header: replaced.
  EXPECT_EQ((*parts)[1].content_type, "image/jpeg");
  EXPECT_EQ((*parts)[1].data, bytes);
  EXPECT_EQ((*parts)[2].data, "image/jpeg");
  // A random boundary each time, so a file's bytes cannot end a part early.
  EXPECT_NE(BuildMultipart({}).content_type, form.content_type);
}

}  // namespace
}  // namespace parley::http
