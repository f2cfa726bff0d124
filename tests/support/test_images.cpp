#include "support/test_images.h"

#include <vips/vips.h>

#include <stdexcept>

namespace parley::media::testing {
namespace {

VipsImage* Gradient(int width, int height) {
  if (VIPS_INIT("parley-tests") != 0) throw std::runtime_error("libvips failed to start");
  VipsImage* image = nullptr;
  if (vips_xyz(&image, width, height, nullptr) != 0) throw std::runtime_error(vips_error_buffer());
  VipsImage* band = nullptr;
  vips_extract_band(image, &band, 0, nullptr);
  g_object_unref(image);
  VipsImage* bytes = nullptr;
  vips_cast_uchar(band, &bytes, nullptr);
  g_object_unref(band);
  return bytes;
}

std::string Take(void* buffer, size_t length) {
  std::string out(static_cast<const char*>(buffer), length);
  g_free(buffer);
  return out;
}

}  // namespace

std::string Jpeg(int width, int height, int orientation) {
  VipsImage* image = Gradient(width, height);
  VipsImage* copy = nullptr;
  vips_copy(image, &copy, nullptr);
  g_object_unref(image);
  vips_image_set_int(copy, VIPS_META_ORIENTATION, orientation);
  void* buffer = nullptr;
  size_t length = 0;
  if (vips_jpegsave_buffer(copy, &buffer, &length, nullptr) != 0) throw std::runtime_error(vips_error_buffer());
  g_object_unref(copy);
  return Take(buffer, length);
}

std::string Png(int width, int height) {
  VipsImage* image = Gradient(width, height);
  void* buffer = nullptr;
  size_t length = 0;
  if (vips_pngsave_buffer(image, &buffer, &length, "compression", 1, nullptr) != 0) {
    throw std::runtime_error(vips_error_buffer());
  }
  g_object_unref(image);
  return Take(buffer, length);
}

namespace {

// `text` in black DejaVu Sans 14 at `dpi` on white, with a margin; the caller unrefs it.
VipsImage* TextImage(const std::string& text, int dpi) {
  if (VIPS_INIT("parley-tests") != 0) throw std::runtime_error("libvips failed to start");
  VipsImage* mask = nullptr;  // 0 where nothing is drawn, 255 on the glyphs.
  if (vips_text(&mask, text.c_str(), "font", "DejaVu Sans 14", "dpi", dpi, nullptr) != 0) {
    throw std::runtime_error(vips_error_buffer());
  }
  VipsImage* dark = nullptr;
  vips_invert(mask, &dark, nullptr);
  g_object_unref(mask);
  VipsImage* framed = nullptr;
  VipsArrayDouble* white = vips_array_double_newv(1, 255.0);
  const int margin = 40 * dpi / 150;
  vips_embed(dark, &framed, margin, margin, vips_image_get_width(dark) + 2 * margin,
             vips_image_get_height(dark) + 2 * margin, "extend", VIPS_EXTEND_BACKGROUND, "background", white, nullptr);
  vips_area_unref(VIPS_AREA(white));
  g_object_unref(dark);
  return framed;
}

}  // namespace

std::string TextPng(const std::string& text) {
  VipsImage* image = TextImage(text, 150);
  void* buffer = nullptr;
  size_t length = 0;
  if (vips_pngsave_buffer(image, &buffer, &length, nullptr) != 0) throw std::runtime_error(vips_error_buffer());
  g_object_unref(image);
  return Take(buffer, length);
}

std::string TextJpeg(const std::string& text, int dpi) {
  VipsImage* image = TextImage(text, dpi);
  void* buffer = nullptr;
  size_t length = 0;
  if (vips_jpegsave_buffer(image, &buffer, &length, "Q", 75, nullptr) != 0) {
    throw std::runtime_error(vips_error_buffer());
  }
  g_object_unref(image);
  return Take(buffer, length);
}

std::pair<int, int> SizeOf(const std::string& bytes) {
  VipsImage* image = vips_image_new_from_buffer(bytes.data(), bytes.size(), "", nullptr);
  if (image == nullptr) throw std::runtime_error(vips_error_buffer());
  std::pair<int, int> size{vips_image_get_width(image), vips_image_get_height(image)};
  g_object_unref(image);
  return size;
}

}  // namespace parley::media::testing
