using DistTrainer.Core.Compute.Reference;
using DistTrainer.Core.Tests.Compute.Contract.Skipping;
using Xunit;

namespace DistTrainer.Core.Tests.Compute.Contract;

// Arguments the backends check before touching memory; the reference, a specification of values, does not.
public abstract partial class BackendContract
{
    [ContractFact]
    public void Copy_between_slices_of_different_lengths_is_refused()
    {
        using var a = Backend.Allocate(4);
        using var b = Backend.Allocate(3);

        Assert.Throws<ArgumentException>(() => Backend.Copy(a.All, b.All));
    }

    [ContractFact]
    public void A_slice_too_short_for_the_shape_is_refused_naming_the_operand()
    {
        using var a = Backend.Allocate(6);
        using var c = Backend.Allocate(5);

        Assert.Throws<ArgumentException>(() => Backend.SumRows(c.Slice(0, 3), 2, 2, a.All));
        var shortA = Assert.Throws<ArgumentException>(() => Backend.Gemm(false, false, 2, 2, 4, 1, a.All, a.All, 0, c.All));
        Assert.Equal("a", shortA.ParamName);
        var shortB = Assert.Throws<ArgumentException>(() =>
            Backend.Gemm(false, false, 2, 3, 3, 1f, a.All, a.Slice(0, 6), 0f, c.All));
        Assert.Equal("b", shortB.ParamName);
    }

    [ContractFact]
    public void A_slice_of_another_backend_is_refused()
    {
        using var foreign = new ReferenceBackend().Allocate(4);
        using var own = Backend.Allocate(4);

        Assert.Throws<ArgumentException>(() => Backend.Fill(foreign.All, 1));
        Assert.Throws<ArgumentException>(() => Backend.Multiply(foreign.All, own.All, own.All));
    }
}
