#include "http/static_files.h"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/http/field.hpp>

#include <unistd.h>

#include <fstream>

namespace parley::http {
namespace {

namespace fs = std::filesystem;
using boost::beast::http::field;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "parley-static-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void WriteFile(const fs::path& path, std::string_view text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

TEST(StaticRelativePathTest, NamesTheFileUnderTheDirectory) {
  EXPECT_EQ(StaticRelativePath("/").value(), fs::path());
  EXPECT_EQ(StaticRelativePath("/index.html").value(), fs::path("index.html"));
  EXPECT_EQ(StaticRelativePath("/assets/app-1a2b.js?v=3").value(), fs::path("assets/app-1a2b.js"));
  EXPECT_EQ(StaticRelativePath("//assets///app.js").value(), fs::path("assets/app.js"));
  EXPECT_EQ(StaticRelativePath("/inbox/12").value(), fs::path("inbox/12"));
  EXPECT_EQ(StaticRelativePath("/fonts/Inter%20Bold.woff2").value(), fs::path("fonts/Inter Bold.woff2"));
}

TEST(StaticRelativePathTest, RefusesWhatCouldLeaveTheDirectory) {
  for (std::string_view target :
       {"/../etc/passwd", "/assets/../../etc/passwd", "/%2e%2e/etc/passwd", "/assets/%2E%2E/x", "/./index.html",
        "/./../etc/passwd", "/..%2fetc%2fpasswd", "/assets%2f..%2f..%2fx", "/a%5c..%5c..%5cx", "/index.html%00.js",
        "/.env", "/.git/config"}) {
    auto relative = StaticRelativePath(target);
    ASSERT_FALSE(relative) << target;
    EXPECT_EQ(relative.error().code, ErrorCode::kInvalidArgument) << target;
  }
}

TEST(ResolveStaticFileTest, FindsRegularFilesInsideOnly) {
  TempDir temp;
  const fs::path root = temp.path() / "web";
  WriteFile(root / "index.html", "<html></html>");
  WriteFile(root / "assets" / "app.js", "console.log(1)");
  WriteFile(temp.path() / "secret.txt", "not for the web");
  WriteFile(temp.path() / "web-old" / "index.html", "older");
  fs::create_symlink(temp.path() / "secret.txt", root / "leak.txt");
  fs::create_symlink(temp.path() / "web-old", root / "old");
  fs::create_symlink(root / "assets" / "app.js", root / "alias.js");

  EXPECT_EQ(ResolveStaticFile(root, "index.html").value(), fs::canonical(root / "index.html"));
  EXPECT_EQ(ResolveStaticFile(root, "assets/app.js").value(), fs::canonical(root / "assets" / "app.js"));
  // A link that stays inside is followed; one leading out is refused, even to a sibling sharing the name's start.
  EXPECT_EQ(ResolveStaticFile(root, "alias.js").value(), fs::canonical(root / "assets" / "app.js"));
  EXPECT_EQ(ResolveStaticFile(root, "leak.txt").error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(ResolveStaticFile(root, "old/index.html").error().code, ErrorCode::kPermissionDenied);
  // Directories and missing files are not files.
  EXPECT_EQ(ResolveStaticFile(root, "").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(ResolveStaticFile(root, "assets").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(ResolveStaticFile(root, "inbox/12").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(ResolveStaticFile(temp.path() / "missing", "index.html").error().code, ErrorCode::kNotFound);
}

TEST(StaticContentTypeTest, KnowsTheBuildsFiles) {
  EXPECT_EQ(StaticContentType("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(StaticContentType("assets/app-1a2b.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(StaticContentType("assets/app.CSS"), "text/css; charset=utf-8");
  EXPECT_EQ(StaticContentType("logo.svg"), "image/svg+xml");
  EXPECT_EQ(StaticContentType("icon.png"), "image/png");
  EXPECT_EQ(StaticContentType("favicon.ico"), "image/x-icon");
  EXPECT_EQ(StaticContentType("assets/inter.woff2"), "font/woff2");
  EXPECT_EQ(StaticContentType("locales/fr.json"), "application/json");
  EXPECT_EQ(StaticContentType("assets/app.js.map"), "application/json");
  EXPECT_EQ(StaticContentType("README"), "application/octet-stream");
}

// The handler itself, without a server: conditional requests and gzip siblings.
class StaticFilesHandlerTest : public ::testing::Test {
 protected:
  StaticFilesHandlerTest() {
    WriteFile(root() / "index.html", "<!doctype html><title>Parley</title>");
    WriteFile(root() / "assets" / "app-1a2b.js", "console.log('plain')");
    WriteFile(root() / "assets" / "app-1a2b.js.gz", "pretend-gzip");
    handler_ = StaticFiles({root()});
  }
  fs::path root() const { return temp_.path(); }

  Response Get(std::string target, std::vector<std::pair<field, std::string>> headers = {}) {
    Request request{Verb::get, target, 11};
    for (auto& [name, value] : headers) request.set(name, value);
    boost::asio::io_context io;
    auto future = boost::asio::co_spawn(io, handler_(request, RouteContext{}), boost::asio::use_future);
    io.run();
    return future.get();
  }

  TempDir temp_;
  Handler handler_;
};

TEST_F(StaticFilesHandlerTest, AnswersNotModifiedToAKnownEtagOrDate) {
  Response first = Get("/assets/app-1a2b.js");
  ASSERT_EQ(first.result(), Status::ok);
  const std::string etag(first[field::etag]);
  const std::string last_modified(first[field::last_modified]);
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(Get("/assets/app-1a2b.js", {{field::if_none_match, etag}}).result(), Status::not_modified);
  EXPECT_EQ(Get("/assets/app-1a2b.js", {{field::if_none_match, "W/" + etag + ", \"other\""}}).result(),
            Status::not_modified);
  EXPECT_EQ(Get("/assets/app-1a2b.js", {{field::if_none_match, "\"other\""}}).result(), Status::ok);
  EXPECT_EQ(Get("/assets/app-1a2b.js", {{field::if_modified_since, last_modified}}).result(), Status::not_modified);

  // A new build changes the file, and its tag.
  WriteFile(root() / "assets" / "app-1a2b.js", "console.log('rebuilt, longer')");
  Response changed = Get("/assets/app-1a2b.js", {{field::if_none_match, etag}});
  EXPECT_EQ(changed.result(), Status::ok);
  EXPECT_EQ(changed.body(), "console.log('rebuilt, longer')");
}

TEST_F(StaticFilesHandlerTest, SendsTheGzipSiblingOnlyToClientsTakingGzip) {
  Response gzipped = Get("/assets/app-1a2b.js", {{field::accept_encoding, "br, gzip;q=0.8"}});
  EXPECT_EQ(gzipped.body(), "pretend-gzip");
  EXPECT_EQ(gzipped[field::content_encoding], "gzip");
  EXPECT_EQ(gzipped[field::content_type], "text/javascript; charset=utf-8");
  EXPECT_EQ(gzipped[field::vary], "Accept-Encoding");

  for (std::string accept : {"", "br", "gzip;q=0", "gzip; q=0.000"}) {
    Response plain = Get("/assets/app-1a2b.js", {{field::accept_encoding, accept}});
    EXPECT_EQ(plain.body(), "console.log('plain')") << accept;
    EXPECT_EQ(plain[field::content_encoding], "") << accept;
    EXPECT_EQ(plain[field::vary], "Accept-Encoding") << accept;
  }
  // The two encodings never share a tag, so a cache never hands one for the other.
  EXPECT_NE(Get("/assets/app-1a2b.js", {{field::accept_encoding, "gzip"}})[field::etag],
            Get("/assets/app-1a2b.js")[field::etag]);
}

TEST_F(StaticFilesHandlerTest, MissingAssetIsNotFoundRatherThanThePage) {
  Response missing = Get("/assets/app-old.js");
  EXPECT_EQ(missing.result(), Status::not_found);
  Response page = Get("/inbox/12?tab=notes");
  EXPECT_EQ(page.result(), Status::ok);
  EXPECT_EQ(page.body(), "<!doctype html><title>Parley</title>");
  EXPECT_EQ(page[field::cache_control], "no-cache");
}

// The web chat's script, which other sites load from /webchat/widget.js: served as JavaScript and revalidated (a new
// build reaches every site at once); before it is built, a 404 rather than the dashboard's page run as a script.
TEST_F(StaticFilesHandlerTest, TheWebChatWidgetIsServedAsAScriptOrNotFound) {
  EXPECT_EQ(Get("/webchat/widget.js").result(), Status::not_found);
  EXPECT_EQ(Get("/webchat/widget.css").result(), Status::not_found);
  WriteFile(root() / "webchat" / "widget.js", "(function(){})();");
  Response script = Get("/webchat/widget.js");
  ASSERT_EQ(script.result(), Status::ok);
  EXPECT_EQ(script.body(), "(function(){})();");
  EXPECT_EQ(script[field::content_type], "text/javascript; charset=utf-8");
  EXPECT_EQ(script[field::cache_control], "no-cache");
  EXPECT_FALSE(script[field::etag].empty());
}

}  // namespace
}  // namespace parley::http
