#include "media/image.h"

#include <vips/vips.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <stdexcept>

namespace parley::media {
namespace {

// libvips starts once per process. Loaders it marks untrusted (ImageMagick, and others fuzzing has not hardened)
// are blocked, and operations are not cached: each image is decoded once and its memory given back.
void StartVips() {
  static std::once_flag started;
  std::call_once(started, [] {
    if (VIPS_INIT("parley") != 0) throw std::runtime_error("libvips failed to start");
    vips_block_untrusted_set(TRUE);
    vips_cache_set_max(0);
    // Its warnings (a truncated file decoded with grey where pixels are missing) would reach standard error, outside
    // the structured log.
    g_log_set_handler(
        "VIPS", G_LOG_LEVEL_WARNING, [](const gchar*, GLogLevelFlags, const gchar*, gpointer) {}, nullptr);
  });
}

struct Unref {
  void operator()(VipsImage* image) const { g_object_unref(image); }
};
using ImagePtr = std::unique_ptr<VipsImage, Unref>;

Error VipsError(std::string message) {
  std::string detail = vips_error_buffer();
  vips_error_clear();
  return {ErrorCode::kInvalidArgument, std::move(message), std::move(detail)};
}

// The image scaled down to fit edge × edge (never up), upright, as a JPEG without metadata.
Result<std::string> Thumbnail(std::string_view bytes, int edge) {
  VipsImage* out = nullptr;
  // libvips reads the buffer and never writes it.
  if (vips_thumbnail_buffer(const_cast<char*>(bytes.data()), bytes.size(), &out, edge, "height", edge, "size",
                            VIPS_SIZE_DOWN, nullptr) != 0) {
    return VipsError("the image cannot be decoded");
  }
  ImagePtr image(out);
  void* buffer = nullptr;
  size_t length = 0;
  if (vips_jpegsave_buffer(image.get(), &buffer, &length, "Q", 85, "strip", TRUE, nullptr) != 0) {
    return VipsError("the image cannot be encoded");
  }
  std::string jpeg(static_cast<const char*>(buffer), length);
  g_free(buffer);
  return jpeg;
}

}  // namespace

Result<PreparedImage> PrepareImage(std::string_view bytes, const ImageOptions& options) {
  StartVips();
  // Opening reads the header only; no pixel is decoded before the size is checked.
  ImagePtr header(
      vips_image_new_from_buffer(bytes.data(), bytes.size(), "", "access", VIPS_ACCESS_SEQUENTIAL, nullptr));
  if (!header) return VipsError("the image cannot be decoded");
  const int64_t width = vips_image_get_width(header.get());
  const int64_t height = vips_image_get_height(header.get());
  const int64_t pages = std::max(1, vips_image_get_n_pages(header.get()));
  if (width <= 0 || height <= 0 || width * height > options.max_pixels / pages) {
    return Error{ErrorCode::kInvalidArgument, "the image has too many pixels",
                 std::to_string(width) + "x" + std::to_string(height) + "x" + std::to_string(pages)};
  }
  PreparedImage prepared;
  // Orientations 5 to 8 turn the image a quarter: its upright width is its stored height.
  int orientation = 1;
  if (vips_image_get_typeof(header.get(), VIPS_META_ORIENTATION) != 0) {
    (void)vips_image_get_int(header.get(), VIPS_META_ORIENTATION, &orientation);
  }
  const bool turned = orientation >= 5 && orientation <= 8;
  prepared.width = static_cast<int>(turned ? height : width);
  prepared.height = static_cast<int>(turned ? width : height);
  auto agent = Thumbnail(bytes, options.agent_edge);
  if (!agent) return agent.error();
  auto thumbnail = Thumbnail(bytes, options.thumbnail_edge);
  if (!thumbnail) return thumbnail.error();
  prepared.agent_jpeg = std::move(*agent);
  prepared.thumbnail_jpeg = std::move(*thumbnail);
  return prepared;
}

}  // namespace parley::media
