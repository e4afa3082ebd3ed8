using DistTrainer.Core.Compute;
using DistTrainer.Core.Compute.Reference;

namespace DistTrainer.Core.Tests.Compute.Contract;

/// <summary>
/// The part of the <see cref="IComputeBackend"/> contract that is checked against hand-computed values,
/// so that <see cref="ReferenceBackend"/>, the executable specification, is held to it too. Each backend
/// runs it by deriving a test class that passes its backend in; the tests are grouped by operation family
/// in this type's other files. <see cref="BackendContract"/> adds the comparisons with the reference.
/// </summary>
public abstract partial class ExactValueContract(IComputeBackend backend, bool ownsBackend) : IDisposable
{
    private protected IComputeBackend Backend => backend;

    /// <summary>The backend under test beside a fresh reference, drawing random values from <paramref name="seed"/>.</summary>
    private protected BackendComparison Compare(int seed = 1) => new(backend, seed);

    public void Dispose()
    {
        if (ownsBackend) backend.Dispose();
    }
}
