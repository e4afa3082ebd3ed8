using DistTrainer.Core.Tests.Compute.Contract.Skipping;
using Xunit;

namespace DistTrainer.Core.Tests.Compute.Contract;

// Broadcasts and products, one rounding each: within 1e-5 of the reference, relative above 1.
public abstract partial class BackendContract
{
    public static TheoryData<int, int> ElementWiseShapes => new() { { 1, 1 }, { 3, 17 }, { 7, 13 }, { 130, 33 } };

    [ContractTheory]
    [MemberData(nameof(ElementWiseShapes))]
    public void Add_row_vector_matches_the_reference(int rows, int cols)
    {
        using var both = Compare(rows);
        var matrix = both.Random(rows * cols);
        var vector = both.Random(cols);

        Backend.AddRowVector(matrix.Subject, rows, cols, vector.Subject);
        both.Reference.AddRowVector(matrix.Reference, rows, cols, vector.Reference);

        both.AssertClose(matrix);
    }

    [ContractTheory]
    [MemberData(nameof(ElementWiseShapes))]
    public void Multiply_matches_the_reference(int rows, int cols)
    {
        using var both = Compare(rows + 1);
        var a = both.Random(rows * cols);
        var b = both.Random(rows * cols);
        var product = both.Zeros(rows * cols);

        Backend.Multiply(a.Subject, b.Subject, product.Subject);
        both.Reference.Multiply(a.Reference, b.Reference, product.Reference);

        both.AssertClose(product);
    }
}
