// SPDX-License-Identifier: Apache-2.0
// What `generate` leaves on disk: the PNG with its `parameters` and `spstudio` chunks, the final
// latents as safetensors, and the Chrome/Perfetto trace of every rank's ranges.
#pragma once

#include <QString>
#include <string>
#include <vector>

#include "app/session/session.h"
#include "common/wire/messages.h"

namespace spstudio::cli {

struct GenerateOutputs {
  QString png_path;      ///< always written
  QString latents_path;  ///< empty: not written
  QString trace_path;    ///< empty: not written
};

/// Writes the files for rank 0's first image of `result`; returns one line per file written
/// ("wrote out.png (256x256)"). `plan_json` is the plan sent with the job (empty: the shipped one,
/// which the image records when the worker's summary carries it). Throws CliError naming the file.
std::vector<std::string> write_generate_outputs(const GenerateOutputs& outputs, const wire::Job& job,
                                                const std::string& plan_json, const app::JobResult& result,
                                                const QVector<app::WorkerInfo>& workers);

}  // namespace spstudio::cli
