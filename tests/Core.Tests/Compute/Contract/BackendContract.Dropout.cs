using DistTrainer.Core.Tests.Compute.Contract.Skipping;
using Xunit;

namespace DistTrainer.Core.Tests.Compute.Contract;

// Inverted dropout: the mask is a function of the seed and each element's place in the global batch.
public abstract partial class BackendContract
{
    /// <summary>Rows, columns, the rows' place in the global batch, and the drop probability, 0 and 1 included.</summary>
    public static TheoryData<int, int, int, float> DropoutCases => new()
    {
        { 1, 1, 0, 0.5f }, { 3, 17, 5, 0.3f }, { 33, 37, 128, 0.2f }, { 4, 256, 7, 0f }, { 4, 40, 0, 1f },
        { 7, 13, 5, 0f }, { 7, 13, 5, 0.3f }, { 7, 13, 5, 0.9f }, { 7, 13, 5, 1f },
    };

    [ContractTheory]
    [MemberData(nameof(DropoutCases))]
    public void Dropout_draws_the_reference_mask(int rows, int cols, int rowOffset, float p)
    {
        using var both = Compare(rows * cols);
        var x = both.Random(rows * cols);
        var mask = both.Zeros(rows * cols);
        var y = both.Zeros(rows * cols);

        Backend.DropoutForward(x.Subject, rows, cols, rowOffset, p, 1234, mask.Subject, y.Subject);
        both.Reference.DropoutForward(x.Reference, rows, cols, rowOffset, p, 1234, mask.Reference, y.Reference);

        Assert.Equal(mask.ReferenceValues.Select(v => (float)v), mask.SubjectValues);
        both.AssertClose(y);
    }
}
