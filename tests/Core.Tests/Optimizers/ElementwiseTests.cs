using System.Numerics;
using DistTrainer.Core.Optimizers;
using Xunit;

namespace DistTrainer.Core.Tests.Optimizers;

public sealed class ElementwiseTests
{
    [Theory]
    [InlineData(0, true)]
    [InlineData(1, true)]
    [InlineData(7, true)]
    [InlineData(17, true)]
    [InlineData(1003, true)]
    [InlineData(1003, false)]
    public void Every_element_is_updated_exactly_once(int length, bool vectorised)
    {
        var mode = vectorised ? ElementwiseMode.Vectorised : ElementwiseMode.Scalar;
        var visits = new float[length];
        var rule = new CountingRule(visits);

        Elementwise.Apply(ref rule, length, mode);

        Assert.All(visits, count => Assert.Equal(1f, count));
        Assert.Equal(vectorised && Vector.IsHardwareAccelerated ? length / Vector<float>.Count : 0, rule.VectorCalls);
    }

    private ref struct CountingRule(Span<float> visits) : IElementwiseRule
    {
        private readonly Span<float> _visits = visits;

        public int VectorCalls { get; private set; }

        public void ApplyVector(int index)
        {
            VectorCalls++;
            Elementwise.Store(_visits, index, Elementwise.Load(_visits, index) + Vector<float>.One);
        }

        public readonly void ApplyScalar(int index) => _visits[index] += 1f;
    }
}
