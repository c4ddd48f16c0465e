// SPDX-License-Identifier: Apache-2.0
// Gallery images to PNG files and back: the `parameters` (A1111) and `spstudio` (JSON) chunks are
// written from the item; "Recall from PNG…" reads the `spstudio` chunk back into parameters.
#pragma once

#include <QString>

#include "app/png/png_metadata.h"
#include "ui/models/gallery_model.h"

namespace spstudio::gui {

png::GenerationMetadata metadata_for(const ui::GalleryItem& item);
/// Writes the item atomically; throws std::runtime_error naming the path.
void save_gallery_png(const ui::GalleryItem& item, const QString& path);
/// The parameters a PNG written by SP Studio (the GUI or the CLI) was made with. Throws
/// std::runtime_error naming the file when it cannot be read or has no `spstudio` chunk.
ui::GenerationParams params_from_png(const QString& path);
/// "seed-42-U2xR1.png": a default file name for the item.
QString default_file_name(const ui::GalleryItem& item);

}  // namespace spstudio::gui
