using DistTrainer.Core.Compute.Ilgpu;
using DistTrainer.Core.Tests.Compute.Contract;

namespace DistTrainer.Core.Tests.Compute.Ilgpu;

/// <summary>
/// The backend contract as ILGPU's kernels meet it, on whichever accelerator runs them. One allowance:
/// the cross-entropy kernel takes each probability as exp(x - logSumExp) with logSumExp rounded to float,
/// which costs up to 1e-6 relative at logits near 30, so its gradients are held to 1e-5 absolute below 0.1.
/// </summary>
public abstract class IlgpuBackendContract(IlgpuBackend backend) : BackendContract(backend, ownsBackend: false)
{
    private protected override double CrossEntropyGradientFloor => 0.1;
}
