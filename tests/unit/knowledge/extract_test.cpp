#include "knowledge/extract.h"

#include "core/utf8.h"
#include "support/pdf_builder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zip.h>

#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace parley::knowledge {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace std::string_literals;

std::string ReadFixture(const std::string& name) {
  std::ifstream file(PARLEY_TEST_DATA_DIR "/knowledge/" + name, std::ios::binary);
  EXPECT_TRUE(file) << name;
  std::ostringstream bytes;
  bytes << file.rdbuf();
  return bytes.str();
}

// One line per block, so a mismatch shows the whole document: "h2 Delivery", "li Espresso", "p@2 Refunds…".
std::vector<std::string> Describe(const ExtractedDocument& document) {
  std::vector<std::string> lines;
  for (const Block& block : document.blocks) {
    std::string tag;
    switch (block.kind) {
      case Block::Kind::kHeading:
        tag = "h" + std::to_string(block.level);
        break;
      case Block::Kind::kParagraph:
        tag = "p";
        break;
      case Block::Kind::kListItem:
        tag = "li";
        break;
      case Block::Kind::kTableRow:
        tag = "row";
        break;
      case Block::Kind::kTableHeader:
        tag = "th";
        break;
      case Block::Kind::kCode:
        tag = "code";
        break;
    }
    if (block.page != 0) tag.append("@").append(std::to_string(block.page));
    lines.push_back(tag + " " + block.text);
  }
  return lines;
}

std::string ErrorOf(const Result<ExtractedDocument>& result) {
  EXPECT_FALSE(result) << "expected an error";
  if (result) return {};
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  return result.error().message;
}

std::string CsvErrorOf(const Result<std::vector<QaPair>>& result) {
  EXPECT_FALSE(result) << "expected an error";
  if (result) return {};
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  return result.error().message;
}

// The guarantees of Block, whatever the input was.
void ExpectWellFormed(const ExtractedDocument& document) {
  EXPECT_TRUE(IsValidUtf8(document.title));
  EXPECT_FALSE(document.blocks.empty());
  for (const Block& block : document.blocks) {
    EXPECT_FALSE(block.text.empty());
    EXPECT_TRUE(IsValidUtf8(block.text));
    if (block.kind == Block::Kind::kHeading) {
      EXPECT_GE(block.level, 1);
      EXPECT_LE(block.level, 6);
    } else {
      EXPECT_EQ(block.level, 0);
    }
    bool row = block.kind == Block::Kind::kTableRow || block.kind == Block::Kind::kTableHeader;
    if (row) {
      std::string joined;
      for (const auto& cell : block.cells) {
        if (!cell.empty()) joined += (joined.empty() ? "" : " | ") + cell;
      }
      EXPECT_EQ(block.text, joined);
      EXPECT_FALSE(block.cells.back().empty());
    } else {
      EXPECT_TRUE(block.cells.empty());
    }
    if (block.kind != Block::Kind::kCode) {
      EXPECT_EQ(block.text.find("  "), std::string::npos) << block.text;
      EXPECT_EQ(block.text.find('\n'), std::string::npos) << block.text;
      EXPECT_NE(block.text.front(), ' ');
      EXPECT_NE(block.text.back(), ' ');
    }
  }
}

// --- DetectFormat ------------------------------------------------------------------------------------------------

TEST(DetectFormatTest, ExtensionWinsCaseInsensitively) {
  EXPECT_EQ(DetectFormat("notes.TXT", "", "").value(), Format::kText);
  EXPECT_EQ(DetectFormat("README.md", "", "").value(), Format::kMarkdown);
  EXPECT_EQ(DetectFormat("guide.Markdown", "", "").value(), Format::kMarkdown);
  EXPECT_EQ(DetectFormat("index.htm", "", "").value(), Format::kHtml);
  EXPECT_EQ(DetectFormat("uploads/2024/menu.HTML", "", "").value(), Format::kHtml);
  EXPECT_EQ(DetectFormat("C:\\Users\\anne\\Guide.PDF", "", "").value(), Format::kPdf);
  EXPECT_EQ(DetectFormat("policies.docx", "", "").value(), Format::kDocx);
  EXPECT_EQ(DetectFormat("faq.csv", "", "").value(), Format::kCsv);
  // The extension decides even when the content type or the bytes say otherwise.
  EXPECT_EQ(DetectFormat("faq.csv", "text/plain", "%PDF-1.7").value(), Format::kCsv);
}

TEST(DetectFormatTest, ContentTypeWhenTheExtensionSaysNothing) {
  EXPECT_EQ(DetectFormat("upload", "text/plain; charset=utf-8", "").value(), Format::kText);
  EXPECT_EQ(DetectFormat("upload.bin", "Text/Markdown", "").value(), Format::kMarkdown);
  EXPECT_EQ(DetectFormat("", " text/html ;charset=iso-8859-1", "").value(), Format::kHtml);
  EXPECT_EQ(DetectFormat("", "application/pdf", "").value(), Format::kPdf);
  EXPECT_EQ(DetectFormat("", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "").value(),
            Format::kDocx);
  EXPECT_EQ(DetectFormat("", "text/csv", "").value(), Format::kCsv);
}

TEST(DetectFormatTest, MagicBytesLast) {
  EXPECT_EQ(DetectFormat("scan", "application/octet-stream", ReadFixture("sample.pdf")).value(), Format::kPdf);
  EXPECT_EQ(DetectFormat("blob", "", ReadFixture("sample.docx")).value(), Format::kDocx);
  EXPECT_EQ(DetectFormat("page", "", ReadFixture("sample.html")).value(), Format::kHtml);
  EXPECT_EQ(DetectFormat("page", "", "\xEF\xBB\xBF  \n<HTML><body>hi</body></HTML>").value(), Format::kHtml);
}

TEST(DetectFormatTest, UnsupportedNamesTheFile) {
  EXPECT_EQ(DetectFormat("x.exe", "application/octet-stream", "MZ\x90").error().message,
            "unsupported file type: x.exe");
  EXPECT_EQ(DetectFormat("/tmp/uploads/photo.heic", "image/heic",
                         "\0\0\0\x18"
                         "ftypheic")
                .error()
                .message,
            "unsupported file type: photo.heic");
  // A zip that is not a Word document is not taken for one.
  EXPECT_EQ(DetectFormat("archive.zip", "", ReadFixture("no_document.docx")).error().message,
            "unsupported file type: archive.zip");
  EXPECT_EQ(DetectFormat("", "", "").error().message, "unsupported file type");
  // Control characters and invalid UTF-8 in a client's file name do not reach the message.
  auto error = DetectFormat("evil\n\xFF.exe", "", "").error();
  EXPECT_EQ(error.code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(error.message, "unsupported file type: evil \xEF\xBF\xBD.exe");
}

TEST(DetectFormatTest, FormatNames) {
  EXPECT_EQ(ToString(Format::kText), "txt");
  EXPECT_EQ(ToString(Format::kMarkdown), "markdown");
  EXPECT_EQ(ToString(Format::kHtml), "html");
  EXPECT_EQ(ToString(Format::kPdf), "pdf");
  EXPECT_EQ(ToString(Format::kDocx), "docx");
  EXPECT_EQ(ToString(Format::kCsv), "csv");
}

// --- Plain text ----------------------------------------------------------------------------------------------------

TEST(ExtractTextTest, ParagraphsSplitOnBlankLines) {
  auto document = Extract(Format::kText, ReadFixture("sample.txt"));
  ASSERT_TRUE(document) << document.error().message;
  // The first line stands alone above prose: the document's title, and its heading.
  EXPECT_EQ(document->title, "Café Lumière — opening hours and policies");
  EXPECT_THAT(
      Describe(*document),
      ElementsAre("h1 Café Lumière — opening hours and policies",
                  "p We are open Monday to Friday from 8:00 to 18:00, and on Saturday from 9:00 to 14:00.",
                  "p Delivery is free for orders over 30 €. Orders placed before noon arrive the same day.",
                  "p Refunds: bring the receipt within 14 days. Our crème brûlée cannot be refunded once eaten."));
  ExpectWellFormed(*document);
}

TEST(ExtractTextTest, CrlfBomControlsAndUnicodeSpaces) {
  auto document =
      Extract(Format::kText, "\xEF\xBB\xBFOpen\r\ndaily\r\n\r\nClosed\xC2\xA0on\x00Sundays\t\xE2\x80\x83!"s);
  ASSERT_TRUE(document);
  EXPECT_THAT(Describe(*document), ElementsAre("p Open daily", "p Closed on Sundays !"));
}

TEST(ExtractTextTest, InvalidUtf8BecomesReplacementCharacters) {
  // Latin-1 "café", a lone continuation byte and a truncated 3-byte sequence at the end.
  auto document = Extract(Format::kText, "caf\xE9 au lait \x80 ok \xE2\x82");
  ASSERT_TRUE(document);
  EXPECT_THAT(Describe(*document), ElementsAre("p caf\xEF\xBF\xBD au lait \xEF\xBF\xBD ok \xEF\xBF\xBD\xEF\xBF\xBD"));
}

TEST(ExtractTextTest, ShortLinesSetApartAboveProseAreHeadings) {
  auto document = Extract(Format::kText,
                          "Maison Levain\n\n"
                          "Gift cards\nGift cards are sold in store and never expire.\n\n"
                          "Opening hours\n\nMonday 9-18\nTuesday 9-18\n\n"
                          "Delivery\n\nWe deliver within 5 km. Orders before noon arrive the same day.\n\n"
                          "Last line alone");
  ASSERT_TRUE(document) << document.error().message;
  EXPECT_THAT(Describe(*document),
              ElementsAre("h1 Maison Levain", "h2 Gift cards", "p Gift cards are sold in store and never expire.",
                          "p Opening hours", "p Monday 9-18 Tuesday 9-18", "h2 Delivery",
                          "p We deliver within 5 km. Orders before noon arrive the same day.", "p Last line alone"));
  ExpectWellFormed(*document);
}

TEST(ExtractTextTest, NothingButWhitespaceHasNoText) {
  EXPECT_EQ(ErrorOf(Extract(Format::kText, "")), "document has no text");
  EXPECT_EQ(ErrorOf(Extract(Format::kText, " \r\n\t\n\xC2\xA0\n")), "document has no text");
}

// --- Markdown ------------------------------------------------------------------------------------------------------

TEST(ExtractMarkdownTest, HeadingsListsQuotesAndCode) {
  auto document = Extract(Format::kMarkdown, ReadFixture("sample.md"));
  ASSERT_TRUE(document) << document.error().message;
  EXPECT_EQ(document->title, "Café Lumière");
  EXPECT_THAT(Describe(*document),
              ElementsAre("h1 Café Lumière", "p Welcome to Café Lumière, a small café and bakery in the heart of Lyon.",
                          "h2 Opening hours", "li Monday to Friday: 8:00–18:00", "li Saturday: 9:00–14:00",
                          "li Sunday: closed", "h2 Delivery",
                          "p Delivery is free for orders over 30 €. Orders placed before noon arrive the same day.",
                          "li Order on our website.", "li Pay by card or bank transfer.", "h3 Refund policy",
                          "p Bring the receipt within 14 days for a full refund.",
                          "code Refund form: name, order number, reason\n  Crème brûlée: no refund once eaten",
                          "h2 Setext heading"));
  ExpectWellFormed(*document);
}

TEST(ExtractMarkdownTest, TitleIsTheFirstH1NotTheFirstHeading) {
  auto document = Extract(Format::kMarkdown, "## Menu\n\nCroissant\n\n# Café Lumière\n\n# Second\n");
  ASSERT_TRUE(document);
  EXPECT_EQ(document->title, "Café Lumière");
  auto no_h1 = Extract(Format::kMarkdown, "## Menu\n\nCroissant\n");
  ASSERT_TRUE(no_h1);
  EXPECT_EQ(no_h1->title, "");
}

TEST(ExtractMarkdownTest, PipeTablesAreRowsUnderTheirHeader) {
  auto document = Extract(Format::kMarkdown,
                          "## T-shirts\n"
                          "Our prices:\n"
                          "| Size | Colour | **Price** |\n"
                          "|:-----|:------:|------:|\n"
                          "| M | blue | €39 |\n"
                          "| L | [red](https://x.example) |\n"
                          "| XL | black | €45 | extra |\n"
                          "Prices include VAT.\n\n"
                          "a | b\n"
                          "not a delimiter row\n");
  ASSERT_TRUE(document) << document.error().message;
  EXPECT_THAT(Describe(*document), ElementsAre("h2 T-shirts", "p Our prices:", "th Size | Colour | Price",
                                               "row M | blue | €39", "row L | red", "row XL | black | €45",
                                               "p Prices include VAT.", "p a | b not a delimiter row"));
  EXPECT_EQ(document->blocks[4].cells, (std::vector<std::string>{"L", "red"}));  // Trailing empty cells dropped.
  ExpectWellFormed(*document);
}

TEST(ExtractMarkdownTest, ABoldLineTitlesWhatFollows) {
  auto document = Extract(Format::kMarkdown,
                          "## Shop\n\n"
                          "**Gift cards**\nGift cards are sold in store.\n\n"
                          "**Returns**\n\nReturns are free.\n\n"
                          "**Note: prices include VAT.**\n\n"
                          "**Bold** start of a sentence.\n");
  ASSERT_TRUE(document) << document.error().message;
  EXPECT_THAT(Describe(*document),
              ElementsAre("h2 Shop", "h3 Gift cards", "p Gift cards are sold in store.", "h3 Returns",
                          "p Returns are free.", "p Note: prices include VAT.", "p Bold start of a sentence."));
  ExpectWellFormed(*document);
}

TEST(ExtractMarkdownTest, InvalidUtf8AndEmptyDocuments) {
  auto document = Extract(Format::kMarkdown, "# Caf\xE9\n");
  ASSERT_TRUE(document);
  EXPECT_EQ(document->title, "Caf\xEF\xBF\xBD");
  EXPECT_EQ(ErrorOf(Extract(Format::kMarkdown, "")), "document has no text");
  EXPECT_EQ(ErrorOf(Extract(Format::kMarkdown, "---\n\n<!-- nothing -->\n\n```\n```\n")), "document has no text");
}

TEST(ExtractMarkdownTest, DeepNestingDoesNotOverflowTheStack) {
  std::string quotes(100000, '>');
  auto document = Extract(Format::kMarkdown, quotes + " deep\n\n" + std::string(50000, '[') + "x");
  ASSERT_TRUE(document);
  EXPECT_EQ(document->blocks.front().text, "deep");
}

// --- HTML ----------------------------------------------------------------------------------------------------------

TEST(ExtractHtmlTest, BlocksTablesAndSkippedBoilerplate) {
  auto document = Extract(Format::kHtml, ReadFixture("sample.html"));
  ASSERT_TRUE(document) << document.error().message;
  EXPECT_EQ(document->title, "Café Lumière – Delivery & refunds");
  EXPECT_THAT(Describe(*document),
              ElementsAre("h1 Delivery & refunds", "p We deliver in Lyon and Villeurbanne.", "h2 Opening hours",
                          "th Day | Hours", "row Monday–Friday | 8:00–18:00", "row Sunday | closed", "h3 Refund policy",
                          "li Bring the receipt within 14 days.", "li Crème brûlée cannot be refunded.",
                          "p Questions? Call us. We answer within a day.",
                          "code Order ref: CL-2024-001\n  Status: shipped", "p Best café in town!"));
  ExpectWellFormed(*document);
}

TEST(ExtractHtmlTest, HeaderRowsAndBoldTitles) {
  auto document = Extract(Format::kHtml,
                          "<h2>Prices</h2><p><strong>Gift cards</strong></p><p>Gift cards are sold <b>in store</b>.</p>"
                          "<p><b>Bold</b> then plain.</p><p><b>A bold sentence.</b></p>"
                          "<table><thead><tr><td>Size</td><td>Price</td></tr></thead>"
                          "<tr><td>M</td><td>€39</td></tr></table>"
                          "<table><tr><td>Delivery</td><td>€2.50</td></tr></table>");
  ASSERT_TRUE(document) << document.error().message;
  EXPECT_THAT(Describe(*document),
              ElementsAre("h2 Prices", "h3 Gift cards", "p Gift cards are sold in store.", "p Bold then plain.",
                          "p A bold sentence.", "th Size | Price", "row M | €39", "row Delivery | €2.50"));
  ExpectWellFormed(*document);
}

TEST(ExtractHtmlTest, TitleFallsBackToTheFirstH1) {
  auto document = Extract(Format::kHtml, "<h2>Menu</h2><h1>Café Lumière</h1><p>Open daily</p>");
  ASSERT_TRUE(document);
  EXPECT_EQ(document->title, "Café Lumière");
  EXPECT_THAT(Describe(*document), ElementsAre("h2 Menu", "h1 Café Lumière", "p Open daily"));
}

TEST(ExtractHtmlTest, DeclaredCharsetAndInvalidUtf8) {
  auto latin1 = Extract(Format::kHtml, "<html><head><meta charset=\"windows-1252\"></head><p>Caf\xE9 cr\xE8me</p>");
  ASSERT_TRUE(latin1);
  EXPECT_THAT(Describe(*latin1), ElementsAre("p Café crème"));
  auto broken = Extract(Format::kHtml, "<p>Caf\xE9 cr\xC3\xA8me</p>");
  ASSERT_TRUE(broken);
  EXPECT_THAT(Describe(*broken), ElementsAre("p Caf\xEF\xBF\xBD crème"));
}

TEST(ExtractHtmlTest, MalformedMarkupIsRecovered) {
  auto document = Extract(Format::kHtml, "<p>Open <b>daily<p>Closed <i>Sunday<li>Espresso<li>Latte</ul></div>");
  ASSERT_TRUE(document);
  EXPECT_THAT(Describe(*document), ElementsAre("p Open daily", "p Closed Sunday", "li Espresso", "li Latte"));
}

TEST(ExtractHtmlTest, OnlyScriptsAndStylesHasNoText) {
  EXPECT_EQ(ErrorOf(Extract(Format::kHtml, "<script>alert(1)</script><style>p{}</style><nav>Home</nav>")),
            "document has no text");
  EXPECT_EQ(ErrorOf(Extract(Format::kHtml, "")), "document has no text");
}

TEST(ExtractHtmlTest, DeepNesting) {
  auto nested = [](int depth) {
    std::string html;
    for (int i = 0; i < depth; ++i) html += "<div>";
    return html + "deep";
  };
  auto document = Extract(Format::kHtml, nested(250));
  ASSERT_TRUE(document);
  EXPECT_THAT(Describe(*document), ElementsAre("p deep"));
  // libxml2 stops parsing past 256 levels, its guard against its own recursion: a clean error, not a crash.
  EXPECT_EQ(ErrorOf(Extract(Format::kHtml, nested(20000))), "document has no text");
}

// --- PDF -----------------------------------------------------------------------------------------------------------

TEST(ExtractPdfTest, ParagraphsWithTheirPagesAndTheInfoTitle) {
  auto document = Extract(Format::kPdf, ReadFixture("sample.pdf"));
  ASSERT_TRUE(document) << document.error().message;
  EXPECT_EQ(document->title, "Café Lumière – Customer guide");
  EXPECT_THAT(
      Describe(*document),
      ElementsAre("p@1 Café Lumière Customer Guide",
                  "p@1 We are open Monday to Friday from 8:00 to 18:00 and on Saturday from 9:00 to 14:00.",
                  "p@1 Our crème brûlée is made fresh every morning.",
                  "p@2 Delivery is free for orders over 30 euros. Orders placed before noon arrive the same day.",
                  "p@2 Refunds: bring the receipt within 14 days."));
  ExpectWellFormed(*document);
}

TEST(ExtractPdfTest, EncryptedAndForeignFiles) {
  EXPECT_EQ(ErrorOf(Extract(Format::kPdf, ReadFixture("encrypted.pdf"))), "PDF is password-protected");
  EXPECT_EQ(ErrorOf(Extract(Format::kPdf, ReadFixture("sample.docx"))), "not a PDF file");
  EXPECT_EQ(ErrorOf(Extract(Format::kPdf, "")), "not a PDF file");
  EXPECT_EQ(ErrorOf(Extract(Format::kPdf, "%PDF-1.7\nthis is not a PDF at all")), "PDF could not be read");
}

// --- Limits --------------------------------------------------------------------------------------------------------

TEST(ExtractLimitsTest, APdfWithMorePagesThanAllowedFailsBeforeAnyIsRead) {
  std::string pdf = testing::TextPdf(5);
  EXPECT_EQ(ErrorOf(Extract(Format::kPdf, pdf, {.max_pages = 4})), "the PDF has more than 4 pages");
  auto document = Extract(Format::kPdf, pdf, {.max_pages = 5});
  ASSERT_TRUE(document) << document.error().message;
  EXPECT_THAT(Describe(*document),
              ElementsAre("p@1 Page 1 of the handbook.", "p@2 Page 2 of the handbook.", "p@3 Page 3 of the handbook.",
                          "p@4 Page 4 of the handbook.", "p@5 Page 5 of the handbook."));
}

TEST(ExtractLimitsTest, TextPastTheCharacterLimitFailsTheDocument) {
  // The first paragraph is 29 characters in 35 bytes: the limit counts characters.
  std::string text = "Crème brûlée à emporter. Été.\n\nOui";
  ExtractLimits limits{.max_chars = 30};
  EXPECT_EQ(ErrorOf(Extract(Format::kText, text, limits)), "the document has more than 30 characters of text");
  EXPECT_TRUE(Extract(Format::kText, text.substr(0, text.find('\n')), limits));
  EXPECT_EQ(ErrorOf(Extract(Format::kHtml, "<p>" + std::string(31, 'a') + "</p>", limits)),
            "the document has more than 30 characters of text");
  EXPECT_EQ(ErrorOf(Extract(Format::kPdf, testing::TextPdf(3), limits)),
            "the document has more than 30 characters of text");
}

// --- DOCX ----------------------------------------------------------------------------------------------------------

TEST(ExtractDocxTest, StylesListsTablesAndCoreTitle) {
  auto document = Extract(Format::kDocx, ReadFixture("sample.docx"));
  ASSERT_TRUE(document) << document.error().message;
  EXPECT_EQ(document->title, "Café Lumière – Customer guide");
  // "Titre"/"Titre1" resolve through styles.xml to Title/heading 1, "Puces" numbers through its style, deleted
  // revisions are left out and inserted ones kept.
  EXPECT_THAT(Describe(*document),
              ElementsAre("h1 Café Lumière", "h1 Opening hours", "p We are open Monday to Friday from 8:00 to 18:00.",
                          "li Espresso", "li Crème brûlée", "h2 Delivery",
                          "p Phone: 04 72 00 00 00 Email: bonjour@cafe-lumiere.fr", "row Zone | Fee", "row Lyon | free",
                          "row Villeurbanne | 3 €", "p Refunds within 14 days."));
  ExpectWellFormed(*document);
}

// A DOCX holding only word/document.xml with `body` as its body, built in memory.
std::string MakeDocx(const std::string& body) {
  std::string xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document "
      "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>" +
      body + "</w:body></w:document>";
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &error);
  zip_source_keep(buffer);
  zip_t* archive = zip_open_from_source(buffer, ZIP_TRUNCATE, &error);
  zip_source_t* part = zip_source_buffer(archive, xml.data(), xml.size(), 0);
  zip_file_add(archive, "word/document.xml", part, ZIP_FL_OVERWRITE);
  zip_close(archive);
  zip_source_open(buffer);
  zip_source_seek(buffer, 0, SEEK_END);
  auto size = zip_source_tell(buffer);
  zip_source_seek(buffer, 0, SEEK_SET);
  std::string bytes(static_cast<size_t>(size), '\0');
  zip_source_read(buffer, bytes.data(), static_cast<zip_uint64_t>(size));
  zip_source_close(buffer);
  zip_source_free(buffer);
  return bytes;
}

std::string WordRun(const std::string& text, bool bold = false) {
  return std::string("<w:r>") + (bold ? "<w:rPr><w:b/></w:rPr>" : "") + "<w:t xml:space=\"preserve\">" + text +
         "</w:t></w:r>";
}
std::string Row(const std::vector<std::string>& cells, const std::string& properties = "") {
  std::string row = "<w:tr>" + properties;
  for (const auto& cell : cells) row += "<w:tc><w:p>" + WordRun(cell) + "</w:p></w:tc>";
  return row + "</w:tr>";
}

TEST(ExtractDocxTest, HeaderRowsAndBoldTitles) {
  std::string look = "<w:tblPr><w:tblLook w:val=\"04A0\" w:firstRow=\"1\"/></w:tblPr>";
  auto document = Extract(
      Format::kDocx, MakeDocx("<w:p>" + WordRun("Gift cards", true) + "</w:p><w:p>" + WordRun("Sold ") +
                              WordRun("in store", true) + "</w:p>" + "<w:p>" + WordRun("A bold sentence.", true) +
                              "</w:p>" + "<w:tbl>" + look + Row({"Size", "Price"}) + Row({"M", "€39"}) + "</w:tbl>" +
                              "<w:tbl><w:tblPr><w:tblLook w:val=\"0400\"/></w:tblPr>" +
                              Row({"Zone", "Fee"}, "<w:trPr><w:tblHeader/></w:trPr>") + Row({"Lyon", "free"}) +
                              "</w:tbl>" + "<w:tbl>" + Row({"Delivery", "€2.50"}) + "</w:tbl>"));
  ASSERT_TRUE(document) << document.error().message;
  EXPECT_THAT(Describe(*document),
              ElementsAre("h1 Gift cards", "p Sold in store", "p A bold sentence.", "th Size | Price", "row M | €39",
                          "th Zone | Fee", "row Lyon | free", "row Delivery | €2.50"));
  ExpectWellFormed(*document);
}

TEST(ExtractDocxTest, DamagedArchives) {
  EXPECT_EQ(ErrorOf(Extract(Format::kDocx, ReadFixture("no_document.docx"))), "DOCX has no word/document.xml");
  EXPECT_EQ(ErrorOf(Extract(Format::kDocx, ReadFixture("broken_xml.docx"))), "DOCX word/document.xml is not valid XML");
  EXPECT_EQ(ErrorOf(Extract(Format::kDocx, ReadFixture("sample.pdf"))), "not a DOCX file");
  EXPECT_EQ(ErrorOf(Extract(Format::kDocx, "")), "not a DOCX file");
  EXPECT_EQ(ErrorOf(Extract(Format::kDocx, "PK\x03\x04 truncated")), "not a DOCX file");
  EXPECT_EQ(ErrorOf(Extract(Format::kDocx, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 legacy")),
            "DOCX is password-protected or an old Word .doc file");
}

TEST(ExtractDocxTest, ZipBombIsRefused) {
  // 22 KB that inflate to 21 MiB.
  std::string bomb = ReadFixture("bomb.docx");
  ASSERT_LT(bomb.size(), 64u << 10);
  EXPECT_EQ(ErrorOf(Extract(Format::kDocx, bomb)), "DOCX part too large: word/document.xml");
}

// --- Common rules --------------------------------------------------------------------------------------------------

TEST(ExtractTest, InputAndOutputLimits) {
  std::string huge((50u << 20) + 1, 'a');
  for (Format format : {Format::kText, Format::kMarkdown, Format::kHtml, Format::kPdf, Format::kDocx}) {
    EXPECT_EQ(ErrorOf(Extract(format, huge)), "file too large") << ToString(format);
  }
  EXPECT_EQ(CsvErrorOf(ParseQaCsv(huge)), "file too large");

  // Just under 50 MiB in, but more than the default 10 million characters of text out.
  std::string wordy;
  while (wordy.size() < (21u << 20)) wordy += "Croissants are baked every morning.\n";
  EXPECT_EQ(ErrorOf(Extract(Format::kText, wordy)), "the document has more than 10000000 characters of text");
}

TEST(ExtractCsvTest, ATableWhoseFirstRowNamesTheColumns) {
  auto document =
      Extract(Format::kCsv, "\xEF\xBB\xBFProduct;Size;Price\r\n\r\nT-shirt;M;\"39,00 €\"\r\n;;\r\nHoodie;;59 €\r\n");
  ASSERT_TRUE(document) << document.error().message;
  EXPECT_THAT(Describe(*document),
              ElementsAre("th Product | Size | Price", "row T-shirt | M | 39,00 €", "row Hoodie | 59 €"));
  EXPECT_EQ(document->blocks[2].cells, (std::vector<std::string>{"Hoodie", "", "59 €"}));
  ExpectWellFormed(*document);
  EXPECT_THAT(ErrorOf(Extract(Format::kCsv, "\n ; \n")), HasSubstr("no text"));
}

TEST(ExtractCsvTest, QaPairsAreToldApartFromTables) {
  EXPECT_TRUE(IsQaCsv(ReadFixture("faq.csv")));
  EXPECT_TRUE(IsQaCsv("\n\nQuestion;Réponse\nA?;B\n"));
  EXPECT_FALSE(IsQaCsv("Product,Size,Price\nT-shirt,M,39\n"));
  EXPECT_FALSE(IsQaCsv(""));
  EXPECT_FALSE(IsQaCsv("\"unterminated"));
}

// Untrusted uploads: whatever the bytes, an error or a well-formed document, never a crash.
TEST(ExtractTest, GarbageTruncatedAndCorruptedInputs) {
  std::mt19937 random(20240601);
  auto random_bytes = [&random](std::size_t size) {
    std::string bytes(size, '\0');
    for (char& c : bytes) c = static_cast<char>(random() & 0xFF);
    return bytes;
  };
  struct Case {
    Format format;
    std::string fixture;
  };
  for (const Case& test :
       {Case{Format::kText, "sample.txt"}, Case{Format::kMarkdown, "sample.md"}, Case{Format::kHtml, "sample.html"},
        Case{Format::kPdf, "sample.pdf"}, Case{Format::kDocx, "sample.docx"}}) {
    SCOPED_TRACE(test.fixture);
    std::string original = ReadFixture(test.fixture);
    std::vector<std::string> inputs;
    for (std::size_t size : {1u, 7u, 64u, 1000u, 5000u}) inputs.push_back(random_bytes(size));
    for (std::size_t cut = 0; cut < original.size(); cut += std::max<std::size_t>(1, original.size() / 40)) {
      inputs.push_back(original.substr(0, cut));
    }
    for (int i = 0; i < 60; ++i) {
      std::string corrupted = original;
      for (int flips = 1 + static_cast<int>(random() % 8); flips > 0; --flips) {
        corrupted[random() % corrupted.size()] = static_cast<char>(random() & 0xFF);
      }
      inputs.push_back(std::move(corrupted));
    }
    for (const std::string& input : inputs) {
      auto document = Extract(test.format, input);
      if (document) {
        ExpectWellFormed(*document);
      } else {
        EXPECT_EQ(document.error().code, ErrorCode::kInvalidArgument);
        EXPECT_FALSE(document.error().message.empty());
      }
    }
  }
}

// --- CSV -----------------------------------------------------------------------------------------------------------

TEST(ParseQaCsvTest, ReadsTheFaqFixture) {
  auto pairs = ParseQaCsv(ReadFixture("faq.csv"));
  ASSERT_TRUE(pairs) << pairs.error().message;
  ASSERT_EQ(pairs->size(), 3u);
  EXPECT_THAT((*pairs)[0].questions,
              ElementsAre("What are your opening hours?", "When are you open?", "Are you open on Saturday?"));
  EXPECT_EQ((*pairs)[0].answer, "We are open Monday to Friday, 8:00–18:00.\nSaturday 9:00–14:00.");
  EXPECT_THAT((*pairs)[1].questions, ElementsAre("Do you deliver?"));
  EXPECT_EQ((*pairs)[1].answer, "Yes, in Lyon and Villeurbanne. Delivery is \"free\" over 30 €.");
  // The same phrasing in two columns counts once.
  EXPECT_THAT((*pairs)[2].questions, ElementsAre("How much is the crème brûlée?"));
  EXPECT_EQ((*pairs)[2].answer, "4.50 €");
}

TEST(ParseQaCsvTest, ColumnNamesAndOrder) {
  auto pairs = ParseQaCsv("Notes,A,Q,Question2,question_3\nignored,Yes.,Open Sunday?,Sunday hours?,Kept?\n");
  ASSERT_TRUE(pairs) << pairs.error().message;
  ASSERT_EQ(pairs->size(), 1u);
  EXPECT_THAT((*pairs)[0].questions, ElementsAre("Open Sunday?", "Sunday hours?", "Kept?"));
  EXPECT_EQ((*pairs)[0].answer, "Yes.");

  auto french = ParseQaCsv("QUESTION;Re\xCC\x81ponse\nLivrez-vous le dimanche ?;Non, du lundi au samedi.\n");
  ASSERT_TRUE(french) << french.error().message;
  ASSERT_EQ(french->size(), 1u);
  EXPECT_THAT((*french)[0].questions, ElementsAre("Livrez-vous le dimanche ?"));
  EXPECT_EQ((*french)[0].answer, "Non, du lundi au samedi.");

  auto tabs = ParseQaCsv("\n\nquestion\treponse\nParking?\tYes, behind the café.");
  ASSERT_TRUE(tabs) << tabs.error().message;
  EXPECT_EQ((*tabs)[0].answer, "Yes, behind the café.");
}

TEST(ParseQaCsvTest, QuotingRules) {
  auto pairs = ParseQaCsv(
      "question,answer\r\n"
      "\"Cash, card or cheque?\",\"Card and cash.\r\n\r\n\r\nNo \"\"cheques\"\".\"\r"
      "Gift cards?,\"\"\"Yes\"\" in store\"\n"
      "Short row\n");
  ASSERT_TRUE(pairs) << pairs.error().message;
  ASSERT_EQ(pairs->size(), 2u);
  EXPECT_THAT((*pairs)[0].questions, ElementsAre("Cash, card or cheque?"));
  EXPECT_EQ((*pairs)[0].answer, "Card and cash.\n\nNo \"cheques\".");
  EXPECT_EQ((*pairs)[1].answer, "\"Yes\" in store");
}

TEST(ParseQaCsvTest, Errors) {
  EXPECT_EQ(CsvErrorOf(ParseQaCsv("")), "CSV needs a question and an answer column");
  EXPECT_EQ(CsvErrorOf(ParseQaCsv("What are your hours?,8 to 6\n")), "CSV needs a question and an answer column");
  EXPECT_EQ(CsvErrorOf(ParseQaCsv("question,comment\nHours?,none\n")), "CSV needs a question and an answer column");
  EXPECT_EQ(CsvErrorOf(ParseQaCsv("question,answer\n,orphan answer\nno answer,\n")),
            "CSV has no row with both a question and an answer");
  EXPECT_EQ(CsvErrorOf(ParseQaCsv("question,answer\nHours?,8-18\n\"Parking?\n\nDelivery?,Yes\nRefund?,\"14 days\n"
                                  "Gift cards?,\"Yes\n")),
            "unterminated quote on line 7");
}

TEST(ParseQaCsvTest, InvalidUtf8AndGarbage) {
  auto pairs = ParseQaCsv("question,answer\nCaf\xE9?,Oui \xFF\n");
  ASSERT_TRUE(pairs);
  EXPECT_THAT((*pairs)[0].questions, ElementsAre("Caf\xEF\xBF\xBD?"));
  EXPECT_EQ((*pairs)[0].answer, "Oui \xEF\xBF\xBD");

  std::mt19937 random(7);
  for (int i = 0; i < 200; ++i) {
    std::string bytes = "question,answer\n";
    constexpr std::string_view kAlphabet = "ab,\"\n\r |\xC3\xFF";
    for (int n = static_cast<int>(random() % 300); n > 0; --n) bytes += kAlphabet[random() % kAlphabet.size()];
    auto result = ParseQaCsv(bytes);
    if (!result) continue;
    for (const QaPair& pair : *result) {
      EXPECT_FALSE(pair.answer.empty());
      EXPECT_FALSE(pair.questions.empty());
      EXPECT_TRUE(IsValidUtf8(pair.answer));
      for (const std::string& question : pair.questions) EXPECT_TRUE(IsValidUtf8(question));
    }
  }
}

}  // namespace
}  // namespace parley::knowledge
