using DistTrainer.Coordinator.Hosting;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Hosting;

public sealed class EmbeddedWorkerThreadsTests
{
    [Theory]
    [InlineData(2, 2, 1)]
    [InlineData(1, 2, 2)]
    [InlineData(2, 8, 4)]
    [InlineData(3, 8, 2)]
    public void Without_threads_given_the_processors_are_shared_out_among_the_workers(int workers, int processors, int expected) =>
        Assert.Equal(expected, EmbeddedWorkerThreads.For(0, workers, processors));

    [Fact]
    public void More_workers_than_processors_still_get_one_thread_each() =>
        Assert.Equal(1, EmbeddedWorkerThreads.For(0, 4, 2));

    [Fact]
    public void Threads_given_on_the_command_line_go_to_every_worker_unchanged() =>
        Assert.Equal(3, EmbeddedWorkerThreads.For(3, 2, 2));
}
