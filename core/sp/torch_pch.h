// SPDX-License-Identifier: Apache-2.0
// The LibTorch headers every engine translation unit needs, precompiled once (SpstudioTorch.cmake).
// Keep this to the ATen / nn::Module core: torch/torch.h pulls in optimisers, data loaders and
// serialisation that the engine does not use and costs seconds per file.
#pragma once

#include <ATen/ATen.h>
#include <ATen/core/ivalue.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/moduledict.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/pimpl.h>
