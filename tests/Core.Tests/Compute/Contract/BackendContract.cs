using DistTrainer.Core.Compute;
using DistTrainer.Core.Compute.Reference;

namespace DistTrainer.Core.Tests.Compute.Contract;

/// <summary>
/// The whole <see cref="IComputeBackend"/> contract for a backend that computes in float32: the
/// hand-computed values of <see cref="ExactValueContract"/>, every operation against
/// <see cref="ReferenceBackend"/> on the same seeded random inputs, and the argument checks. Shapes are
/// odd, small enough for ILGPU's CPU simulator, and cross the CPU backend's vector widths; its cache
/// blocks are crossed by its own tests. The tests are grouped by operation family in this type's other files.
/// </summary>
public abstract partial class BackendContract(IComputeBackend backend, bool ownsBackend)
    : ExactValueContract(backend, ownsBackend);
