#pragma once
// Images the tests render with libvips: a photo of a given size, optionally with an EXIF orientation, and a picture
// of text (a screenshot, a receipt, a scanned page) for text recognition.

#include <string>

namespace parley::media::testing {

// A JPEG of `width` × `height` as stored, whose EXIF orientation is `orientation` (1: upright; 6: turned a quarter).
std::string Jpeg(int width, int height, int orientation = 1);
// A PNG of `width` × `height`.
std::string Png(int width, int height);
// A PNG of `text` (Pango markup; lines separated by '\n') in black DejaVu Sans on white, with a margin, as a phone's
// screenshot would show it (fonts-dejavu-core).
std::string TextPng(const std::string& text);
// The same picture of `text` as a JPEG drawn at `dpi` (a scanned page: tests/support/pdf_builder.h's ScannedPdf).
std::string TextJpeg(const std::string& text, int dpi);
// The width and height `bytes` decode to.
std::pair<int, int> SizeOf(const std::string& bytes);

}  // namespace parley::media::testing
