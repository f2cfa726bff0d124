#pragma once
// What Parley makes of a customer's photo: a copy turned upright (EXIF orientation) and shrunk to fit the agent's
// 768×768 (what vision models read), and a small thumbnail for the dashboard, both JPEG without metadata (no
// location leaks from a photo's EXIF). Decoding is bounded: an image whose header declares more pixels than allowed
// is refused before any pixel is decoded (a 50 KB PNG can claim 60,000×60,000).
// CPU-heavy and blocking: run it on the blocking pool, never on an I/O thread. Thread-safe (libvips).

#include "core/error.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace parley::imaging {

struct ImageOptions {
  int64_t max_pixels = 40'000'000;  //!< Width × height (× frames) above this are refused.
  int agent_edge = 768;             //!< The agent's copy fits in agent_edge × agent_edge (never enlarged).
  int thumbnail_edge = 256;         //!< The thumbnail fits in thumbnail_edge × thumbnail_edge.
};

struct PreparedImage {
  std::string agent_jpeg;
  std::string thumbnail_jpeg;
  int width = 0;  //!< Of the original, upright.
  int height = 0;
};

// `bytes` must be JPEG, PNG, GIF or WebP (media::IsDecodableImage of their sniffed type): other loaders are blocked.
// kInvalidArgument when the image is over `options.max_pixels` or cannot be decoded (the message says which).
Result<PreparedImage> PrepareImage(std::string_view bytes, const ImageOptions& options);

// An image as 8-bit grey pixels, row after row, without padding: what text recognition reads.
struct GreyImage {
  std::string pixels;
  int width = 0;
  int height = 0;
};

// The image of `bytes` upright, in grey, shrunk to fit max_edge × max_edge (never enlarged); the first frame of an
// animation. Same input and failures as PrepareImage (the pixel limit is checked on the header before decoding).
Result<GreyImage> DecodeGrey(std::string_view bytes, int64_t max_pixels, int max_edge);

}  // namespace parley::imaging
