// SPDX-License-Identifier: Apache-2.0
#include "models/weights/weight_source.h"

#include <algorithm>
#include <system_error>

#include "models/weights/weights_error.h"

namespace spstudio::models {
namespace {

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool is_pickle(const std::filesystem::path& path) {
  const std::string ext = path.extension().string();
  return ext == ".bin" || ext == ".pt" || ext == ".pth" || ext == ".ckpt";
}

[[noreturn]] void refuse_pickle(const std::string& what) {
  throw WeightsError(what +
                     ": pickle checkpoints (.bin, .pt, .pth, .ckpt) are not supported because loading them can run "
                     "arbitrary code; convert them to safetensors (e.g. with safetensors.torch.save_file in Python)");
}

WeightSource open_file(const std::filesystem::path& path) {
  const std::string name = path.filename().string();
  if (ends_with(name, ".index.json")) return WeightSource(std::make_shared<const SafetensorsIndex>(path));
  if (ends_with(name, ".safetensors")) return WeightSource(SafetensorsFile(path));
  if (is_pickle(path)) refuse_pickle("'" + path.string() + "'");
  throw WeightsError("'" + path.string() + "' is neither a .safetensors file nor a *.safetensors.index.json");
}

WeightSource open_folder(const std::filesystem::path& folder) {
  std::error_code error;
  for (const char* name : kWeightFileNames) {
    if (std::filesystem::is_regular_file(folder / name, error)) return open_file(folder / name);
  }
  std::vector<std::string> safetensors, pickles;
  // The non-throwing overloads: an unreadable folder just lists nothing.
  for (std::filesystem::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (ends_with(name, ".safetensors") || ends_with(name, ".safetensors.index.json")) safetensors.push_back(name);
    if (is_pickle(it->path())) pickles.push_back(name);
  }
  std::string tried;
  for (const char* name : kWeightFileNames)
    tried += std::string(tried.empty() ? "" : ", ") + name;
  const std::string where = "no weights in folder '" + folder.string() + "' (tried " + tried + ")";
  if (!safetensors.empty()) {
    std::sort(safetensors.begin(), safetensors.end());
    std::string found;
    for (const auto& name : safetensors)
      found += (found.empty() ? "" : ", ") + name;
    throw WeightsError(where + "; it has other safetensors files (" + found + "): pass one of them directly");
  }
  if (!pickles.empty()) {
    std::sort(pickles.begin(), pickles.end());
    refuse_pickle(where + "; it only has " + pickles.front() + (pickles.size() > 1 ? " and others" : ""));
  }
  throw WeightsError(where);
}

}  // namespace

const char* const kWeightFileNames[4] = {
    "diffusion_pytorch_model.safetensors",
    "diffusion_pytorch_model.safetensors.index.json",
    "model.safetensors",
    "model.safetensors.index.json",
};

WeightSource::WeightSource(SafetensorsFile file) : file_(std::make_shared<const SafetensorsFile>(std::move(file))) {}

WeightSource::WeightSource(std::shared_ptr<const SafetensorsIndex> index) : index_(std::move(index)) {}

const std::filesystem::path& WeightSource::path() const {
  return file_ ? file_->path() : index_->path();
}

std::vector<std::string> WeightSource::names() const {
  return file_ ? file_->names() : index_->names();
}

bool WeightSource::contains(const std::string& name) const {
  return file_ ? file_->contains(name) : index_->contains(name);
}

const SafetensorsFile& WeightSource::file_for(const std::string& name) const {
  return file_ ? *file_ : index_->shard_for(name);
}

const SafetensorsTensorInfo& WeightSource::info(const std::string& name) const {
  return file_for(name).info(name);
}

at::Tensor WeightSource::tensor(const std::string& name) const {
  return file_for(name).tensor(name);
}

at::Tensor WeightSource::load(const std::string& name, at::ScalarType dtype) const {
  return file_for(name).load(name, dtype);
}

std::string WeightSource::describe() const {
  std::string text;
  for (const std::string& name : names()) {
    const SafetensorsTensorInfo& entry = info(name);
    text += name + " " + entry.dtype_name + " [";
    for (std::size_t i = 0; i < entry.shape.size(); ++i)
      text += (i ? ", " : "") + std::to_string(entry.shape[i]);
    text += "]\n";
  }
  return text;
}

WeightSource open_weights(const std::filesystem::path& folder_or_file) {
  std::error_code error;
  const auto status = std::filesystem::status(folder_or_file, error);
  if (std::filesystem::is_directory(status)) return open_folder(folder_or_file);
  if (std::filesystem::exists(status)) return open_file(folder_or_file);
  throw WeightsError("no such weights file or folder: '" + folder_or_file.string() + "'");
}

}  // namespace spstudio::models
