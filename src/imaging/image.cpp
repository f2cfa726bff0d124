#include "imaging/image.h"

#include <vips/vips.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <stdexcept>

namespace parley::imaging {
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

// The image's header, once its declared size is within `max_pixels`. Opening reads the header only: no pixel is
// decoded before the size is checked.
Result<ImagePtr> CheckedHeader(std::string_view bytes, int64_t max_pixels) {
  StartVips();
  ImagePtr header(
      vips_image_new_from_buffer(bytes.data(), bytes.size(), "", "access", VIPS_ACCESS_SEQUENTIAL, nullptr));
  if (!header) return VipsError("the image cannot be decoded");
  const int64_t width = vips_image_get_width(header.get());
  const int64_t height = vips_image_get_height(header.get());
  const int64_t pages = std::max(1, vips_image_get_n_pages(header.get()));
  if (width <= 0 || height <= 0 || width * height > max_pixels / pages) {
    return Error{ErrorCode::kInvalidArgument, "the image has too many pixels",
                 std::to_string(width) + "x" + std::to_string(height) + "x" + std::to_string(pages)};
  }
  return header;
}

}  // namespace

Result<PreparedImage> PrepareImage(std::string_view bytes, const ImageOptions& options) {
  auto checked = CheckedHeader(bytes, options.max_pixels);
  if (!checked) return checked.error();
  const ImagePtr& header = *checked;
  const int64_t width = vips_image_get_width(header.get());
  const int64_t height = vips_image_get_height(header.get());
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

Result<GreyImage> DecodeGrey(std::string_view bytes, int64_t max_pixels, int max_edge) {
  auto checked = CheckedHeader(bytes, max_pixels);
  if (!checked) return checked.error();
  VipsImage* shrunk = nullptr;
  // libvips reads the buffer and never writes it; the thumbnail is upright and of the first frame.
  if (vips_thumbnail_buffer(const_cast<char*>(bytes.data()), bytes.size(), &shrunk, max_edge, "height", max_edge,
                            "size", VIPS_SIZE_DOWN, nullptr) != 0) {
    return VipsError("the image cannot be decoded");
  }
  ImagePtr thumbnail(shrunk);
  // Transparency over white (a screenshot's text on a transparent background stays dark on light), then grey.
  VipsImage* flat = nullptr;
  if (vips_image_hasalpha(thumbnail.get())) {
    VipsArrayDouble* white = vips_array_double_newv(1, 255.0);
    const int flattened = vips_flatten(thumbnail.get(), &flat, "background", white, nullptr);
    vips_area_unref(VIPS_AREA(white));
    if (flattened != 0) return VipsError("the image cannot be decoded");
    thumbnail.reset(flat);
  }
  VipsImage* grey = nullptr;
  if (vips_colourspace(thumbnail.get(), &grey, VIPS_INTERPRETATION_B_W, nullptr) != 0) {
    return VipsError("the image cannot be decoded");
  }
  ImagePtr grey_image(grey);
  VipsImage* bytes8 = nullptr;
  if (vips_cast_uchar(grey_image.get(), &bytes8, nullptr) != 0) return VipsError("the image cannot be decoded");
  ImagePtr pixels_image(bytes8);
  size_t size = 0;
  void* memory = vips_image_write_to_memory(pixels_image.get(), &size);
  if (memory == nullptr) return VipsError("the image cannot be decoded");
  GreyImage out;
  out.width = vips_image_get_width(pixels_image.get());
  out.height = vips_image_get_height(pixels_image.get());
  out.pixels.assign(static_cast<const char*>(memory), size);
  g_free(memory);
  if (vips_image_get_bands(pixels_image.get()) != 1 ||
      out.pixels.size() != static_cast<size_t>(out.width) * static_cast<size_t>(out.height)) {
    return Error{ErrorCode::kInvalidArgument, "the image cannot be decoded", "unexpected band layout"};
  }
  return out;
}

}  // namespace parley::imaging
