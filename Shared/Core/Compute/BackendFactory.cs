using DistTrainer.Core.Compute.Cpu;
using DistTrainer.Core.Compute.Ilgpu;
using Serilog;

namespace DistTrainer.Core.Compute;

/// <summary>
/// Picks the backend for --device: "cpu" is the vectorised CPU backend; "ilgpu" is ILGPU on CUDA,
/// else OpenCL, else ILGPU's CPU simulator (slow: for checking kernels, not for training);
/// "auto" takes a CUDA GPU when ILGPU finds one and the CPU backend otherwise.
/// </summary>
public static class BackendFactory
{
    public static IComputeBackend Create(string device, int threads, ILogger log)
    {
        IComputeBackend backend = device switch
        {
            "cpu" => new CpuBackend(threads),
            "ilgpu" => IlgpuBackend.CreatePreferred(),
            "auto" => (IComputeBackend?)IlgpuBackend.TryCreateCuda() ?? new CpuBackend(threads),
            _ => throw new InvalidInputException($"--device: unknown device '{device}'; expected auto, cpu or ilgpu"),
        };
        log.Information("Compute backend {Backend} chosen for --device {Device}", backend.Name, device);
        return backend;
    }
}
