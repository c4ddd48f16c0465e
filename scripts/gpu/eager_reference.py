#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""diffusers' own FluxTransformer2DModel, in PyTorch eager mode, on the weights and inputs that
spstudio-bench-flux wrote (--save-weights, --inputs-out): the baseline our step time is compared
with, and a check that both compute the same thing (max and mean |ours - eager| with --ours).

  eager_reference.py --weights DIR --inputs FILE [--ours FILE] [--diffusers-src PATH]
                     [--device cuda] [--dtype bfloat16] [--warmup 3] [--iterations 10] [--json FILE]

Prints a line per result and one JSON line last. diffusers need not be installed: --diffusers-src
names a folder holding the `diffusers` package (scripts/gpu/run.sh unpacks the one fetch_deps.sh
carries), which is imported ahead of anything installed.
"""
import argparse
import json
import statistics
import sys
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--weights", required=True, help="diffusers folder (config.json + safetensors)")
    p.add_argument("--inputs", required=True, help="safetensors of forward()'s tensor arguments")
    p.add_argument("--ours", help="safetensors holding our output as 'output', to compare with")
    p.add_argument("--diffusers-src", help="folder holding the diffusers package")
    p.add_argument("--device", default="cuda")
    p.add_argument("--dtype", default="bfloat16", choices=["bfloat16", "float16", "float32"])
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--iterations", type=int, default=10)
    p.add_argument("--json", help="also write the JSON line to this file")
    return p.parse_args()


def main():
    args = parse_args()
    if args.diffusers_src:
        sys.path.insert(0, args.diffusers_src)
    import diffusers
    import torch
    from safetensors.torch import load_file

    device = torch.device(args.device)
    cuda = device.type == "cuda"
    model = diffusers.FluxTransformer2DModel.from_pretrained(args.weights, torch_dtype=getattr(torch, args.dtype))
    model = model.to(device).eval()
    # The inputs are stored exactly as our forward received them (latents and embeddings already in
    # the model's dtype; ids, timestep and guidance in float32, which the model casts itself).
    inputs = {name: tensor.to(device) for name, tensor in load_file(args.inputs).items()}

    def forward():
        return model(**inputs, return_dict=False)[0]

    def timed_ms():
        if cuda:
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            out = forward()
            end.record()
            end.synchronize()
            return start.elapsed_time(end), out
        start = time.perf_counter()
        out = forward()
        return (time.perf_counter() - start) * 1e3, out

    with torch.inference_mode():
        for _ in range(args.warmup):
            forward()
        if cuda:
            torch.cuda.synchronize(device)
            torch.cuda.reset_peak_memory_stats(device)
        times = []
        for _ in range(args.iterations):
            ms, out = timed_ms()
            times.append(ms)

    result = {
        "bench": "flux_transformer_eager",
        "diffusers_version": diffusers.__version__,
        "torch_version": torch.__version__,
        "device_name": torch.cuda.get_device_name(device) if cuda else "cpu",
        "dtype": args.dtype,
        "warmup": args.warmup,
        "iterations": args.iterations,
        "median_ms": statistics.median(times),
        "all_ms": times,
        "peak_memory_bytes": torch.cuda.max_memory_allocated(device) if cuda else None,
        "output_finite": bool(torch.isfinite(out).all()),
    }
    print(f"diffusers {result['diffusers_version']} eager on {result['device_name']}: "
          f"median {result['median_ms']:.2f} ms over {args.iterations} iterations")
    if args.ours:
        ours = load_file(args.ours)["output"].to(device=device, dtype=torch.float32)
        eager = out.float()
        if ours.shape != eager.shape:
            raise SystemExit(f"our output has shape {tuple(ours.shape)}, diffusers' {tuple(eager.shape)}")
        diff = (ours - eager).abs()
        result.update(max_abs_diff=diff.max().item(), mean_abs_diff=diff.mean().item(),
                      mean_abs_reference=eager.abs().mean().item())
        print(f"ours vs diffusers: max |d| {result['max_abs_diff']:.4g}, mean |d| {result['mean_abs_diff']:.4g} "
              f"(mean |diffusers| {result['mean_abs_reference']:.4g})")
    line = json.dumps(result)
    print(line)
    if args.json:
        with open(args.json, "w") as f:
            f.write(line + "\n")
    return 0 if result["output_finite"] else 1


if __name__ == "__main__":
    sys.exit(main())
