// SPDX-License-Identifier: Apache-2.0
#include "app/gui/png_export.h"

#include <stdexcept>

#include "app/gui/image_convert.h"
#include "app/png/png_file.h"

namespace spstudio::gui {

png::GenerationMetadata metadata_for(const ui::GalleryItem& item) {
  const ui::GenerationParams& p = item.params;
  png::GenerationMetadata m;
  m.model = p.model.toStdString();
  m.prompt = p.prompt.toStdString();
  m.negative_prompt = p.negative_prompt.toStdString();
  m.seed = p.seed;
  m.steps = static_cast<std::uint32_t>(p.steps);
  m.guidance = p.guidance;
  m.cfg_scale = p.true_cfg_scale;
  m.height = static_cast<std::uint32_t>(p.height);
  m.width = static_cast<std::uint32_t>(p.width);
  m.plan_json = item.plan_json.toStdString();
  m.ulysses_degree = p.ulysses_degree;
  m.ring_degree = p.ring_degree;
  m.world_size = p.world();
  for (const QString& device : item.devices)
    m.devices.push_back(device.toStdString());
  m.step_ms.assign(item.step_ms.begin(), item.step_ms.end());
  m.encode_ms = item.encode_ms;
  m.decode_ms = item.decode_ms;
  return m;
}

void save_gallery_png(const ui::GalleryItem& item, const QString& path) {
  if (item.image.isNull())
    throw std::runtime_error("nothing to save to " + path.toStdString() + ": the image is empty");
  png::write_generation_png(path.toStdString(), static_cast<std::uint32_t>(item.image.width()),
                            static_cast<std::uint32_t>(item.image.height()), packed_rgb(item.image),
                            metadata_for(item));
}

ui::GenerationParams params_from_png(const QString& path) {
  const png::RgbPng file = png::read_png(path.toStdString());
  const auto chunk = file.text(png::kSpstudioKeyword);
  if (!chunk)
    throw std::runtime_error(path.toStdString() + " has no `spstudio` chunk: it was not written by SP Studio");
  png::GenerationMetadata m;
  try {
    m = png::parse_spstudio_metadata_json(*chunk);
  } catch (const std::exception& e) {
    throw std::runtime_error(path.toStdString() + ": " + e.what());
  }
  ui::GenerationParams p;
  p.model = QString::fromStdString(m.model);
  p.prompt = QString::fromStdString(m.prompt);
  p.negative_prompt = QString::fromStdString(m.negative_prompt);
  p.seed = m.seed;
  p.steps = static_cast<int>(m.steps);
  p.guidance = m.guidance;
  p.true_cfg_scale = m.cfg_scale;
  p.height = static_cast<int>(m.height);
  p.width = static_cast<int>(m.width);
  p.ulysses_degree = m.ulysses_degree;
  p.ring_degree = m.ring_degree;
  return p;
}

QString default_file_name(const ui::GalleryItem& item) {
  return QString("seed-%1-U%2xR%3.png")
      .arg(item.params.seed)
      .arg(item.params.ulysses_degree)
      .arg(item.params.ring_degree);
}

}  // namespace spstudio::gui
