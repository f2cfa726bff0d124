#pragma once
// The text in a customer's photo (a receipt, a screenshot of an order, a label), read with Tesseract before the
// agent's turn, so that "[image; text in it: ORDER #4417]" reaches it. Decoding is bounded like every image Parley
// opens (media/image.h: the pixel limit is checked on the header), and the picture is shrunk before recognition,
// which bounds its time. CPU-heavy and blocking: run it on the blocking pool, never on an I/O thread. Thread-safe:
// each thread keeps its own Tesseract engine, loaded on its first image.

#include "core/error.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace parley::media {

struct OcrOptions {
  //! Tesseract's language names joined by '+' (Debian's tesseract-ocr-eng, -fra, -deu, -spa); empty: no text is read.
  std::string languages = "eng+fra+deu+spa";
  int64_t max_pixels = 40'000'000;  //!< Images declaring more are not decoded (PARLEY_MEDIA_MAX_PIXELS).
  int max_edge = 2000;              //!< The picture is shrunk to fit max_edge × max_edge before recognition.
};

// The text Tesseract reads in `bytes` (JPEG, PNG, GIF or WebP, as for media::PrepareImage), its lines kept, blank
// lines and outer spaces dropped; empty when it reads none. kInvalidArgument when the image is over the pixel limit
// or cannot be decoded; kUnavailable when Tesseract cannot start with `options.languages` (their data is not
// installed).
Result<std::string> ReadText(std::string_view bytes, const OcrOptions& options);

}  // namespace parley::media
