using DistTrainer.Core.Data;
using Xunit;

namespace DistTrainer.Core.Tests.Data;

public sealed class DatasetHeadTests
{
    private static readonly Dataset Data = new("d", 2, [1, 2, 3, 4, 5, 6, 7, 8], [0, 2, 1, 2], classCount: 3);

    [Fact]
    public void Keeps_the_first_samples_and_the_class_count()
    {
        var head = Data.Head(3);

        Assert.Equal([1f, 2, 3, 4, 5, 6], head.AllFeatures());
        Assert.Equal([0, 2, 1], head.Labels);
        Assert.Equal(3, head.ClassCount);
        Assert.Equal("d", head.Name);
    }

    [Fact]
    public void Asking_for_as_many_or_more_samples_than_there_are_keeps_them_all()
    {
        Assert.Same(Data, Data.Head(4));
        Assert.Same(Data, Data.Head(100));
    }
}
