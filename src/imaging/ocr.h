#pragma once
// The text in a picture, read with Tesseract: a customer's photo (a receipt, a screenshot of an order, a label) before
// the agent's turn, so that "[image; text in it: ORDER #4417]" reaches it, and a knowledge document that is an image
// or a scanned PDF page. Decoding is bounded like every image Parley opens (imaging/image.h: the pixel limit is checked
// on the header), and the picture is shrunk before recognition, which bounds its time. CPU-heavy and blocking: run it
// on the blocking pool or in the document reader's child process, never on an I/O thread. Thread-safe: each thread
// keeps its own Tesseract engine, loaded on its first image.

#include "core/error.h"
#include "imaging/image.h"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace parley::imaging {

// The processor time the calling thread has used: what OcrOptions::cpu_limit counts (Tesseract recognises on the
// calling thread when its OpenMP is held to one thread, as in the document reader's child).
std::chrono::milliseconds ThreadCpuTime();

struct OcrOptions {
  //! Tesseract's language names joined by '+' (Debian's tesseract-ocr-eng, -fra, -deu, -spa); empty: no text is read.
  std::string languages = "eng+fra+deu+spa";
  int64_t max_pixels = 40'000'000;  //!< Images declaring more are not decoded (PARLEY_MEDIA_MAX_PIXELS).
  int max_edge = 2000;              //!< The picture is shrunk to fit max_edge × max_edge before recognition.
  //! Recognition stops once the calling thread has used this much processor time (kTimeout); zero: no limit.
  //! Processor time, not wall-clock time, so that a busy machine does not read less of a document.
  std::chrono::milliseconds cpu_limit{0};
  bool paragraphs = false;  //!< Paragraphs kept apart by one blank line (a document's), else blank lines dropped.
};

// The text Tesseract reads in `bytes` (JPEG, PNG, GIF or WebP, as for media::PrepareImage), its lines kept, blank
// lines and outer spaces dropped; empty when it reads none. kInvalidArgument when the image is over the pixel limit
// or cannot be decoded; kUnavailable when Tesseract cannot start with `options.languages` (their data is not
// installed); kTimeout past `options.cpu_limit`.
Result<std::string> ReadText(std::string_view bytes, const OcrOptions& options);

// The text Tesseract reads in `image` (a scanned PDF page rendered at `dpi`), cleaned as ReadText's, with
// `options`' languages, processor time limit and paragraphs (its pixel and edge limits are the caller's to apply). On
// kTimeout whatever was read is dropped (a page read in part would index half sentences). kUnavailable as for ReadText.
Result<std::string> ReadGreyText(const GreyImage& image, int dpi, const OcrOptions& options);

}  // namespace parley::imaging
